//! The project's own trainer, natively (the same Rust as the browser runs,
//! on the CPU kernels). It writes the checkpoints the course page ships.
//!
//! ```text
//! cargo run --release --bin glassformer -- train seq2seq [flags]   # the translator (see seq2seq.rs)
//! cargo run --release --bin glassformer -- train gpt [flags]       # the Shakespeare GPT (see gpt.rs)
//! cargo run --release --bin glassformer -- train bert [flags]      # BERT on the errands corpus (see bert.rs)
//! ```

#[cfg(not(target_arch = "wasm32"))]
mod bert;
#[cfg(not(target_arch = "wasm32"))]
mod flags;
#[cfg(not(target_arch = "wasm32"))]
mod gpt;
#[cfg(not(target_arch = "wasm32"))]
mod seq2seq;

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["train", "seq2seq", rest @ ..] => flags::Flags::parse(rest).and_then(seq2seq::run),
        ["train", "gpt", rest @ ..] => flags::Flags::parse(rest).and_then(gpt::run),
        ["train", "bert", rest @ ..] => flags::Flags::parse(rest).and_then(bert::run),
        _ => Err(format!(
            "usage:\n  glassformer train seq2seq {}\n  glassformer train gpt {}\n  glassformer train bert {}",
            seq2seq::FLAGS,
            gpt::FLAGS,
            bert::FLAGS
        )),
    };
    if let Err(message) = result {
        eprintln!("glassformer: {message}");
        std::process::exit(1);
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}
