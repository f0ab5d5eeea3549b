//! The `loanlint` command: parse arguments, call the library, set the exit code.

#![forbid(unsafe_code)]

mod cli;

// See Cargo.toml: the command's allocator, not the library's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
