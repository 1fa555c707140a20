//! Errors that say what went wrong, where, and what to do about it.
//!
//! Every fallible function in the crate returns [`Result<T>`]. A message always
//! names the op (`"attention"`, `"matmul"`...), and for shape problems the shape
//! it expected next to the shape it got, so that a student who passes a
//! `(2, 4)` array where `(2, 3)` was needed can see it at once. At the JS
//! boundary (`src/web/`) these errors become thrown JS `Error`s with the same
//! text; nothing reachable from JS panics.

use thiserror::Error;

/// Everything that can go wrong inside glassformer.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum Error {
    /// A buffer or dimension does not have the shape the op needs.
    #[error("{op}: {what} has shape {got}, expected {expected}. {hint}")]
    Shape {
        op: &'static str,
        what: String,
        expected: String,
        got: String,
        hint: String,
    },
    /// An argument is out of its allowed range (zero heads, p outside [0,1)...).
    #[error("{op}: {message}")]
    InvalidArgument { op: &'static str, message: String },
    /// An input contains NaN or ±infinity, which would poison every result.
    #[error("{op}: {what} contains a non-finite value ({value}) at index {index}. Check the numbers you passed in; every value must be a finite float.")]
    NonFinite {
        op: &'static str,
        what: String,
        index: usize,
        value: f32,
    },
    /// The requested backend cannot run here.
    #[error("{0}")]
    Backend(String),
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;

/// Check that a buffer holds exactly `expected_len` values laid out as `dims`.
///
/// `dims` is shown in the message, e.g. `(B=2, T=3, C=4)`.
pub fn check_len(op: &'static str, what: &str, got_len: usize, dims: &[(&str, usize)]) -> Result<()> {
    let expected_len: usize = dims.iter().map(|(_, d)| d).product();
    if got_len == expected_len {
        return Ok(());
    }
    let shape = dims.iter().map(|(name, d)| format!("{name}={d}")).collect::<Vec<_>>().join(", ");
    Err(Error::Shape {
        op,
        what: what.to_string(),
        expected: format!("({shape}) = {expected_len} values"),
        got: format!("{got_len} values"),
        hint: "Pass a buffer whose length is the product of the dimensions.".to_string(),
    })
}

/// Check that every value is finite (no NaN, no ±inf).
pub fn check_finite(op: &'static str, what: &str, values: &[f32]) -> Result<()> {
    // Blocks of 64 without an early exit compile to vector compares; only a
    // block with a bad value is searched for its position.
    let all_finite = values.chunks(64).all(|block| block.iter().fold(true, |ok, v| ok & v.is_finite()));
    if all_finite {
        return Ok(());
    }
    match values.iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(index) => Err(Error::NonFinite {
            op,
            what: what.to_string(),
            index,
            value: values[index],
        }),
    }
}

/// Check that a dimension is at least one.
pub fn check_nonzero(op: &'static str, name: &str, value: usize) -> Result<()> {
    if value == 0 {
        return Err(Error::InvalidArgument {
            op,
            message: format!("{name} is 0; it must be at least 1 (empty inputs have nothing to compute)."),
        });
    }
    Ok(())
}

/// Build an [`Error::InvalidArgument`].
pub fn invalid(op: &'static str, message: impl Into<String>) -> Error {
    Error::InvalidArgument {
        op,
        message: message.into(),
    }
}
