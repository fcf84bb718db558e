//! Counts: whole numbers with an allowed range, parsed and checked the same way for a
//! command-line flag (`--steps`) and a config key (`steps`), so that both say
//! "`NAME` = VALUE is out of range: allowed LO to HI" for any value outside, negative or
//! too large for the type included.

use anyhow::{Result, bail};
use std::ffi::OsStr;
use std::fmt;
use std::marker::PhantomData;

/// The allowed range `lo ..= hi` of a whole-number setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Count {
    /// Smallest allowed value.
    pub lo: u64,
    /// Largest allowed value.
    pub hi: u64,
}

impl fmt::Display for Count {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} to {}", self.lo, self.hi)
    }
}

/// Parses a whole number written in decimal with an optional sign; a number too large
/// for `i128` saturates (it is out of every range). Anything else is an error naming
/// `name` and what was written.
pub fn whole(name: &str, text: &str) -> Result<i128> {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        bail!("{name} = {text:?} is not a whole number");
    }
    Ok(text.parse().unwrap_or(if text.starts_with('-') {
        i128::MIN
    } else {
        i128::MAX
    }))
}

impl Count {
    /// The range `lo ..= hi`.
    pub const fn new(lo: u64, hi: u64) -> Self {
        Self { lo, hi }
    }

    /// `v` if it is allowed, else an error naming `name` (e.g. "`--steps`" or
    /// "config key `steps`"), the value and the range.
    pub fn check(self, name: &str, v: i128) -> Result<u64> {
        match u64::try_from(v) {
            Ok(u) if (self.lo..=self.hi).contains(&u) => Ok(u),
            _ if v == i128::MAX || v == i128::MIN => {
                bail!("{name} is out of range: allowed {self}")
            }
            _ => bail!("{name} = {v} is out of range: allowed {self}"),
        }
    }

    /// [`whole`] then [`Count::check`].
    pub fn parse(self, name: &str, text: &str) -> Result<u64> {
        let v = whole(name, text).map_err(|e| anyhow::anyhow!("{e}: allowed {self}"))?;
        self.check(name, v)
    }

    /// The `clap` parser of a flag with this range, giving a `T` (negative numbers must be
    /// allowed on the flag: `allow_negative_numbers = true`).
    pub fn flag<T>(self) -> Flag<T> {
        Flag {
            count: Some(self),
            value: PhantomData,
        }
    }
}

/// A `clap` value parser for a count flag: [`Count::parse`] with the flag's name, or only
/// [`whole`] for a flag whose range is known after parsing ([`Flag::whole`]).
#[derive(Clone, Copy, Debug)]
pub struct Flag<T> {
    count: Option<Count>,
    value: PhantomData<fn() -> T>,
}

impl Flag<i128> {
    /// Any whole number; the command checks its range once the range is known.
    pub fn whole() -> Self {
        Self {
            count: None,
            value: PhantomData,
        }
    }
}

impl<T: TryFrom<i128> + Clone + Send + Sync + 'static> clap::builder::TypedValueParser for Flag<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<T, clap::Error> {
        let name = match arg.and_then(|a| a.get_long()) {
            Some(long) => format!("`--{long}`"),
            None => "the value".to_string(),
        };
        let text = value.to_string_lossy();
        let parsed = match self.count {
            Some(c) => c.parse(&name, &text).map(i128::from),
            None => whole(&name, &text),
        };
        parsed
            .and_then(|v| {
                T::try_from(v).map_err(|_| anyhow::anyhow!("{name} = {v} does not fit its type"))
            })
            .map_err(|e| {
                clap::Error::raw(clap::error::ErrorKind::ValueValidation, format!("{e}\n"))
                    .with_cmd(cmd)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEPS: Count = Count::new(1, 10_000_000);

    fn message(text: &str) -> String {
        format!("{:#}", STEPS.parse("`--steps`", text).unwrap_err())
    }

    #[test]
    fn zero_negative_and_huge_counts_give_one_message_form() {
        assert_eq!(
            message("0"),
            "`--steps` = 0 is out of range: allowed 1 to 10000000"
        );
        assert_eq!(
            message("-5"),
            "`--steps` = -5 is out of range: allowed 1 to 10000000"
        );
        assert_eq!(
            message("99999999999"),
            "`--steps` = 99999999999 is out of range: allowed 1 to 10000000"
        );
        assert_eq!(
            message("123456789012345678901234567890123456789012345"),
            "`--steps` is out of range: allowed 1 to 10000000"
        );
        assert_eq!(STEPS.parse("`--steps`", "10000000").unwrap(), 10_000_000);
        assert_eq!(STEPS.parse("`--steps`", "+1").unwrap(), 1);
    }

    #[test]
    fn text_that_is_not_a_whole_number_is_named() {
        for text in ["1e10", "1.5", "", "-", "ten"] {
            let msg = message(text);
            assert!(
                msg.starts_with("`--steps` = \"")
                    && msg.ends_with("is not a whole number: allowed 1 to 10000000"),
                "{msg}"
            );
        }
    }
}
