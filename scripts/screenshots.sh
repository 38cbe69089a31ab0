#!/usr/bin/env bash
# Remakes the report screenshots of README.md and docs/img/: the comparison
# of the baseline with tenure security, pay decompression and accountability
# reform (full size, 10 replicates; about two minutes), its report.html on a
# 1280x900 screen, and page 1 of the PDF that Chromium's print makes of it
# (A4). Needs Chromium and pdftoppm (Debian: chromium, poppler-utils).
# The page's screenshots (docs/img/page_*.png) come from the browser tests:
#   BUREAUSIM_SHOTS=docs/img cargo test --release --test browser -- --test-threads 1
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-outputs/report_screenshots}
cargo run --release --quiet -- compare scenarios/pakistan_baseline.toml \
    scenarios/tenure_security.toml scenarios/pay_decompression.toml \
    scenarios/accountability_reform.toml --out "$out" >/dev/null
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chrome() {
    chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run \
        --user-data-dir="$profile" "$@" 2>/dev/null
}
report="file://$(realpath "$out")/report.html"
chrome --hide-scrollbars --window-size=1280,900 --screenshot=docs/img/report_screen.png "$report"
# The PDF goes beside the profile, not into the results folder (a file
# bureausim did not write there would stop the next run resuming).
chrome --no-pdf-header-footer --print-to-pdf="$profile/report.pdf" "$report"
pdftoppm -png -r 96 -f 1 -l 1 -singlefile "$profile/report.pdf" docs/img/report_pdf_page1
echo "wrote docs/img/report_screen.png and docs/img/report_pdf_page1.png"
