use clap::Parser;

fn main() {
    let cli = bureausim::cli::Cli::parse();
    if let Err(err) = bureausim::cli::execute(cli) {
        bureausim::console::write_err(format_args!(
            "error: {}\n",
            bureausim::cli::error_message(&err)
        ));
        std::process::exit(if bureausim::cli::is_usage_error(&err) {
            2
        } else {
            1
        });
    }
    // A reader that closed the pipe early is no failure; a full disk
    // behind a redirection is (console.rs).
    if bureausim::console::stdout_failed() {
        bureausim::console::write_err(format_args!(
            "error: could not write all of the output to standard output\n"
        ));
        std::process::exit(1);
    }
}
