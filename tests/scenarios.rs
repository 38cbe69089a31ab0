//! Every scenario in the library loads, validates and runs, and its reform
//! timeline takes effect: a shortened run of each (no warm-up, one
//! replicate) has its reforms in force after the reform year. The classic
//! Peter-principle model is checked against its paper in tests/validation.rs.

use std::path::Path;

use bureausim::metrics::metric_index;
use bureausim::scenario::Scenario;
use bureausim::sim::runner;

fn toml_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("scenario folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

/// The library: scenarios/*.toml and scenarios/teaching/*.toml.
fn library() -> Vec<std::path::PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files = toml_files(&root);
    files.extend(toml_files(&root.join("teaching")));
    files.extend(toml_files(&root.join("classics")));
    files
}

#[test]
fn the_library_has_the_reform_scenarios() {
    let names: Vec<String> = library()
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    for want in [
        "pakistan_baseline",
        "pakistan_national",
        "merit_recruitment",
        "merit_promotion",
        "tenure_security",
        "pay_decompression",
        "depoliticised_postings",
        "accountability_reform",
        "e_governance",
        "specialist_tracks",
        "ncgr_2008",
        "task_force_2020",
        "smart_civil_service_2025",
        "kp_sustainability",
        "political_transfers",
        "rotation_and_collusion",
        "merit_vs_patronage",
        "honest_appraisals",
        "accountability_bites",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "scenarios/{want}.toml is missing"
        );
    }
}

#[test]
fn every_scenario_validates_and_its_reforms_take_effect() {
    let sets = [
        "sim.years=6".to_string(),
        "sim.warmup_years=0".to_string(),
        "sim.replicates=1".to_string(),
    ];
    let in_force = metric_index("reforms_in_force").expect("metric");
    for path in library() {
        let mut s =
            Scenario::load(&path, &sets).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // The national workforce (3.5 million posts) runs at a hundredth of
        // its size here; BENCHMARKS.md times it whole.
        if s.structure.total_posts() > 1_000_000 {
            s = s.scaled(0.01);
        }
        assert!(
            !s.description.is_empty(),
            "{} has no description",
            path.display()
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with('#'),
            "{} has no header comment",
            path.display()
        );
        let result = runner::run(&s, 1, &|| {}).expect("run");
        let last = result[0].rows.last().unwrap();
        if s.reforms
            .iter()
            .all(|r| r.reversal_hazard == 0.0 && r.reversal_at_government_change == 0.0)
        {
            assert_eq!(last[in_force], s.reforms.len() as f64, "{}", path.display());
        }
    }
}
