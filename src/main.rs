use clap::Parser;

fn main() {
    let cli = bureausim::cli::Cli::parse();
    if let Err(err) = bureausim::cli::execute(cli) {
        eprintln!("error: {}", bureausim::cli::error_message(&err));
        std::process::exit(if bureausim::cli::is_usage_error(&err) {
            2
        } else {
            1
        });
    }
}
