//! The `loanlint` command: parse arguments, call the library, set the exit code.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
