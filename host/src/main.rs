//! The `tinygan` command-line tool.

fn main() -> anyhow::Result<()> {
    Ok(())
}
