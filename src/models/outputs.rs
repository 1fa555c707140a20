//! What one forward pass over one sequence shows, laid out the way Hugging
//! Face's `transformers` returns it with `output_hidden_states=True` and
//! `output_attentions=True`, so a student can hold our numbers next to the
//! library's:
//!
//! ```text
//! hidden_states[0]      (T, C)      what enters the first layer
//! hidden_states[l]      (T, C)      what layer l gives (l = 1..L)
//! attentions[l]         (H, T, T)   layer l+1's weights, softmax(QKᵀ/√d_k) per head, row = query
//! logits                (T, V)      the language-model head's scores, when the model has one
//! ```
//!
//! One difference is the library's, and we follow it: GPT-2's last hidden
//! state is taken after the final layer norm.

/// A forward pass's inside, one sequence (see the module's doc).
#[derive(Debug, Clone, PartialEq)]
pub struct Outputs {
    pub logits: Option<Vec<f32>>,
    pub hidden_states: Vec<Vec<f32>>,
    pub attentions: Vec<Vec<f32>>,
}
