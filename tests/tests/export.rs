//! `tinygan export`'s source compiles, and the compiled program holds exactly the model
//! file's bytes at a 16-aligned address: Rust by the compiler that builds these tests, C
//! by the system's `cc` (`cc -c` of the export, linked with a small reader).

use std::path::{Path, PathBuf};
use std::process::Command;
use tinygan::export::{Format, source};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/src/model/golden");

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tinygan-export-{name}-{}", std::process::id()));
    std::fs::remove_dir_all(&dir).ok();
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `cmd`; its standard output, or a failure with its standard error.
fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The golden files of every format version: f32 (1, 2) and int8 (3, and 3 with 16-bit
/// weights).
fn golden() -> Vec<(PathBuf, Vec<u8>)> {
    ["v1", "v2", "v3", "v3-w16"]
        .iter()
        .map(|v| {
            let path = Path::new(GOLDEN).join(format!("{v}.tgan"));
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect()
}

#[test]
fn rust_export_compiles_to_the_file_bytes_aligned() {
    let dir = scratch("rust");
    let main = "include!(\"model.rs\");\n\
                fn main() {\n\
                    use std::io::Write;\n\
                    assert_eq!(std::ptr::addr_of!(MODEL.0) as usize % 16, 0);\n\
                    std::io::stdout().write_all(&MODEL.0).unwrap();\n\
                }\n";
    std::fs::write(dir.join("main.rs"), main).unwrap();
    for (path, bytes) in golden() {
        std::fs::write(
            dir.join("model.rs"),
            source(&bytes, &path, Format::Rust, "MODEL").unwrap(),
        )
        .unwrap();
        let exe = dir.join("read_model");
        run(Command::new(env!("TINYGAN_TEST_RUSTC"))
            .args(["--edition", "2024", "-D", "warnings", "-o"])
            .arg(&exe)
            .arg(dir.join("main.rs")));
        assert!(run(&mut Command::new(&exe)) == bytes, "{}", path.display());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Needs a C compiler `cc` (gcc is installed by scripts/setup.sh); without one the test
/// says so and checks nothing.
#[test]
fn c_export_compiles_to_the_file_bytes_aligned() {
    if Command::new("cc").arg("--version").output().is_err() {
        eprintln!("no C compiler `cc` on this machine: the C export is not compiled");
        return;
    }
    let dir = scratch("c");
    let main = "#include <stddef.h>\n\
                #include <stdint.h>\n\
                #include <stdio.h>\n\
                extern const unsigned char weights[];\n\
                extern const size_t weights_len;\n\
                int main(void) {\n\
                    if ((uintptr_t)weights % 16 != 0) return 2;\n\
                    return fwrite(weights, 1, weights_len, stdout) == weights_len ? 0 : 3;\n\
                }\n";
    std::fs::write(dir.join("main.c"), main).unwrap();
    for (path, bytes) in golden() {
        std::fs::write(
            dir.join("model.c"),
            source(&bytes, &path, Format::C, "weights").unwrap(),
        )
        .unwrap();
        let (object, exe) = (dir.join("model.o"), dir.join("read_model"));
        let strict = ["-std=c99", "-Wall", "-Wextra", "-Werror"];
        run(Command::new("cc")
            .args(strict)
            .arg("-c")
            .arg(dir.join("model.c"))
            .arg("-o")
            .arg(&object));
        run(Command::new("cc")
            .args(strict)
            .arg(dir.join("main.c"))
            .arg(&object)
            .arg("-o")
            .arg(&exe));
        assert!(run(&mut Command::new(&exe)) == bytes, "{}", path.display());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
