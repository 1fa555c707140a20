//! `bert.embeddingSpace(words, options)`: the model's own token vectors
//! looked at (see `models::embedding_space`): dot products and cosines,
//! nearest neighbours, an analogy, and the vocabulary on two principal
//! components.

use js_sys::Promise;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::web::memory::live;
use crate::web::queue::queued;

use super::{cpu_copy, BertModel};
use crate::device::Device;
use crate::models::embedding_space::{EmbeddingSpace, Neighbour};
use crate::web::convert::{js_tensor, options, to_js, Js};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SpaceOptions {
    neighbours: Option<usize>,
    /// "a is to b as c is to ?"
    analogy: Option<[String; 3]>,
}

/// `embeddingSpace` → see `models::embedding_space::Exploration`.
#[derive(Serialize)]
struct Space<'a> {
    words: &'a [String],
    missing: &'a [String],
    dots: Js,
    cosines: Js,
    neighbours: Vec<Vec<Near<'a>>>,
    projection: Projection<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    analogy: Option<Vec<Near<'a>>>,
}

/// The vocabulary and the words on two principal components.
#[derive(Serialize)]
struct Projection<'a> {
    words: &'a [[f32; 2]],
    vocabulary: &'a [[f32; 2]],
    tokens: &'a [String],
    explained: [f32; 2],
}

#[derive(Serialize)]
struct Near<'a> {
    token: &'a str,
    cosine: f32,
}

#[wasm_bindgen]
impl BertModel {
    /// A look at the token embeddings (see `models::embedding_space`) →
    /// Promise<{ words, missing, dots, cosines, neighbours, projection, analogy }>:
    /// `words` the given words the vocabulary has (lower-cased), `missing`
    /// the others; `dots` and `cosines` (n·n, row-major) between the words;
    /// `neighbours[i]` the `neighbours` (default 5) nearest tokens to word i
    /// by cosine; `projection` = { words: [[x, y]], vocabulary: [[x, y]],
    /// tokens, explained: [pc1, pc2] }: every ordinary token and the words on
    /// the vocabulary's first two principal components; with
    /// `analogy: [a, b, c]`, the nearest tokens to E[b] − E[a] + E[c].
    #[wasm_bindgen(js_name = embeddingSpace)]
    pub fn embedding_space(&self, words: Vec<String>, options_object: JsValue) -> Promise {
        const OP: &str = "bert.embeddingSpace";
        let (state, place) = live!(self.state, OP);
        let opts = options::<SpaceOptions>(OP, options_object);
        queued(place, async move {
            let opts = opts?;
            let bert = cpu_copy(&state).await?;
            let vocab = state.pre.read("bert")?.vocab.clone();
            let table = bert.embed.tokens.of(bert.params.values.host()?).to_vec(); // (V, C)
            let tokens: Vec<String> = (0..vocab.len() as u32).map(|id| vocab.token(id).to_string()).collect();
            let space = EmbeddingSpace {
                lowercase: vocab.normalization.lowercase,
                ..EmbeddingSpace::new(tokens, table, bert.cfg.c)?
            };
            let k = opts.neighbours.unwrap_or(5);
            let look = space.explore(&Device::Cpu, &words, k, opts.analogy.as_ref(), |i| !vocab.is_special(i as u32))?;
            let n = look.words.len();
            to_js(&Space {
                dots: js_tensor(&look.dots, &[n, n]),
                cosines: js_tensor(&look.cosines, &[n, n]),
                neighbours: look.neighbours.iter().map(|list| near(list)).collect(),
                projection: Projection {
                    words: &look.map.words,
                    vocabulary: &look.map.vocabulary,
                    tokens: &look.map.tokens,
                    explained: look.map.explained,
                },
                analogy: look.analogy.as_deref().map(near),
                words: &look.words,
                missing: &look.missing,
            })
        })
    }
}

/// Neighbours as `{ token, cosine }` objects.
fn near(list: &[Neighbour]) -> Vec<Near<'_>> {
    list.iter()
        .map(|n| Near {
            token: &n.token,
            cosine: n.cosine,
        })
        .collect()
}
