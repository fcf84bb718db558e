//! The `tinygan` command-line tool.

use anyhow::bail;

const USAGE: &str = "usage: tinygan selftest-vectors   (print firmware/src/vectors.rs)";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["selftest-vectors"] => print!("{}", tinygan::vectors::firmware_vectors()),
        _ => bail!("{USAGE}"),
    }
    Ok(())
}
