//! The boards the firmware supports, read from `firmware/boards.txt` (the one list that the
//! firmware build, the scripts and the tests read too).

/// One board: the QEMU machine and cargo feature, its CPU and memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Board {
    /// Board name: the QEMU machine and the firmware's cargo feature.
    pub name: &'static str,
    /// Rust target of its CPU.
    pub target: &'static str,
    /// Chip name for probe-rs.
    pub chip: &'static str,
    /// CPU core.
    pub cpu: &'static str,
    /// Flash size in KiB.
    pub flash_kib: u32,
    /// RAM size in KiB.
    pub ram_kib: u32,
}

impl Board {
    /// Whether its CPU has a floating-point unit (a hard-float target, `…eabihf`): the
    /// f32 generator runs only there.
    pub fn has_fpu(&self) -> bool {
        self.target.ends_with("eabihf")
    }
}

/// `firmware/boards.txt`, built in.
const TABLE: &str = include_str!("../../firmware/boards.txt");

/// Every board, in the table's order.
pub fn all() -> Vec<Board> {
    TABLE
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<&'static str> = l.split_whitespace().collect();
            let kib = |s: &str| s.parse().expect("boards.txt: size in KiB");
            match f[..] {
                [name, target, chip, cpu, _, flash, _, ram] => Board {
                    name,
                    target,
                    chip,
                    cpu,
                    flash_kib: kib(flash),
                    ram_kib: kib(ram),
                },
                _ => panic!("boards.txt: 8 columns expected in {l:?}"),
            }
        })
        .collect()
}

/// The board called `name`, or an error listing the boards.
pub fn find(name: &str) -> anyhow::Result<Board> {
    let boards = all();
    boards
        .iter()
        .find(|b| b.name == name)
        .copied()
        .ok_or_else(|| {
            let names: Vec<&str> = boards.iter().map(|b| b.name).collect();
            anyhow::anyhow!(
                "unknown board {name:?}: supported boards are {}",
                names.join(", ")
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table describes the two emulated boards of the README.
    #[test]
    fn table_holds_the_m4f_and_the_m0() {
        let b = all();
        assert_eq!(b.len(), 2);
        assert_eq!(
            (b[0].name, b[0].target, b[0].flash_kib, b[0].ram_kib),
            ("netduinoplus2", "thumbv7em-none-eabihf", 1024, 128)
        );
        assert_eq!(
            (b[1].name, b[1].target, b[1].flash_kib, b[1].ram_kib),
            ("microbit", "thumbv6m-none-eabi", 256, 16)
        );
        let e = find("stm32").unwrap_err().to_string();
        assert!(e.contains("netduinoplus2, microbit"), "{e}");
    }
}
