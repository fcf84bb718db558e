//! A tally of self-test checks; the closing line is `N passed, N failed`.

/// Counts passed and failed checks and logs each result.
#[derive(Default)]
pub struct Checks {
    passed: u32,
    failed: u32,
}

impl Checks {
    /// Compares `got` with `want` word for word.
    pub fn words(&mut self, name: &str, got: &[u32], want: &[u32]) {
        self.exact(name, got.iter().copied(), want);
    }

    /// Compares `f32` results with expected bit patterns (`f32::to_bits`), every bit exact.
    pub fn floats(&mut self, name: &str, got: &[f32], want_bits: &[u32]) {
        self.exact(name, got.iter().map(|x| x.to_bits()), want_bits);
    }

    /// Compares int8 codes, every one exact.
    pub fn codes(&mut self, name: &str, got: &[i8], want: &[i8]) {
        let bad = got.iter().zip(want).filter(|(g, w)| g != w).count();
        let len_differs = (got.len() != want.len()) as usize;
        self.agree(name, bad + len_differs, want.len());
    }

    /// One check of `compared` values of which `mismatches` differ from what they should
    /// be: passes when none differ (and some were compared).
    pub fn agree(&mut self, name: &str, mismatches: usize, compared: usize) {
        if mismatches == 0 && compared > 0 {
            self.passed += 1;
            defmt::info!("ok   {=str} ({=usize} values, bit-exact)", name, compared);
        } else {
            self.failed += 1;
            defmt::error!(
                "FAIL {=str}: {=usize} of {=usize} values differ",
                name,
                mismatches,
                compared
            );
        }
    }

    /// One check: passes when `got` has `want`'s length and values; logs the first mismatch.
    fn exact(&mut self, name: &str, got: impl ExactSizeIterator<Item = u32>, want: &[u32]) {
        let len = got.len();
        let mismatch = got.zip(want).enumerate().find(|(_, (g, w))| g != *w);
        if let Some((i, (g, w))) = mismatch {
            self.failed += 1;
            defmt::error!(
                "FAIL {=str}: index {=usize}: got {=u32:#010x}, want {=u32:#010x}",
                name,
                i,
                g,
                w
            );
        } else if len != want.len() {
            self.failed += 1;
            defmt::error!(
                "FAIL {=str}: {=usize} values, want {=usize}",
                name,
                len,
                want.len()
            );
        } else {
            self.passed += 1;
            defmt::info!("ok   {=str} ({=usize} values, bit-exact)", name, len);
        }
    }

    /// Logs the closing `N passed, N failed` line and ends the run (failure if any failed).
    pub fn finish(self) -> ! {
        defmt::println!("{=u32} passed, {=u32} failed", self.passed, self.failed);
        crate::exit(self.failed == 0)
    }
}
