//! Looking inside a trained model's token embeddings.
//!
//! A model's embedding table `E (V, C)` gives every token a vector of `C`
//! numbers, learned so that tokens used alike end up pointing alike. Three
//! ways to look at it:
//!
//! ```text
//! dot(a, b)     = Σᵢ aᵢ bᵢ                       large when they point alike and are long
//! cosine(a, b)  = dot(a, b) / (‖a‖ ‖b‖)           the angle alone, in [−1, 1]
//! neighbours(a) = the k tokens t with the largest cosine(a, E[t])
//! ```
//!
//! and a picture: the two directions along which the whole vocabulary varies
//! most (its first two principal components), each token placed at its
//! coordinates along them. Principal components are the top eigenvectors of
//! the covariance `Σ = (E − mean)ᵀ(E − mean) / V`; we find them by power
//! iteration (repeat `u ← Σu / ‖Σu‖`; the second after removing the first).
//!
//! The course's example compares "king" and "queen" by their dot product; a
//! model's vocabulary may not have them, and `analogy(a, b, c)` asks the
//! related question "a is to b as c is to ?" by the nearest tokens to
//! `E[b] − E[a] + E[c]`.

use super::sampling::best_of;
use crate::device::Device;
use crate::error::{invalid, Result};
use crate::ops::matmul::{matmul, MatmulShape};

/// A token table to look at: `table (V, C)` row `i` is the vector of `tokens[i]`.
#[derive(Debug, Clone)]
pub struct EmbeddingSpace {
    pub tokens: Vec<String>,
    pub table: Vec<f32>, // (V, C)
    pub c: usize,
    /// Look words up lower-cased (an uncased vocabulary, the default) or as typed (a cased one).
    pub lowercase: bool,
}

/// One neighbour: a token and its cosine similarity to the query.
#[derive(Debug, Clone, PartialEq)]
pub struct Neighbour {
    pub token: String,
    pub cosine: f32,
}

/// The first two principal components and how much of the variance each explains.
#[derive(Debug, Clone)]
pub struct Projection {
    pub axes: [Vec<f32>; 2], // two unit vectors of length C
    pub mean: Vec<f32>,      // (C)
    pub explained: [f32; 2], // fraction of the total variance along each axis
}

const OP: &str = "embedding_space";

impl EmbeddingSpace {
    pub fn new(tokens: Vec<String>, table: Vec<f32>, c: usize) -> Result<EmbeddingSpace> {
        if c == 0 || tokens.is_empty() || table.len() != tokens.len() * c {
            return Err(invalid(
                OP,
                format!(
                    "the table holds {} values, expected {} tokens × C = {c}.",
                    table.len(),
                    tokens.len()
                ),
            ));
        }
        Ok(EmbeddingSpace {
            tokens,
            table,
            c,
            lowercase: true,
        })
    }

    /// The row of `token`, or an error that says the vocabulary lacks it.
    pub fn index(&self, token: &str) -> Result<usize> {
        self.tokens.iter().position(|t| t == token).ok_or_else(|| {
            invalid(
                OP,
                format!("\"{token}\" is not a token of this model's vocabulary; try a word it was trained on."),
            )
        })
    }

    /// The vector of row `i` (C).
    pub fn vector(&self, i: usize) -> &[f32] {
        &self.table[i * self.c..(i + 1) * self.c]
    }

    /// Dot products and cosines between the rows `ids`, each (n, n) row-major,
    /// computed as one matrix product `X Xᵀ` by the matmul kernel.
    pub fn similarities(&self, dev: &Device, ids: &[usize]) -> Result<(Vec<f32>, Vec<f32>)> {
        let n = ids.len();
        let x: Vec<f32> = ids.iter().flat_map(|&i| self.vector(i).iter().copied()).collect(); // (n, C)
        let mut dots = vec![0.0; n * n]; // (n, n) = X · Xᵀ
        matmul(
            dev,
            &mut dots,
            &x,
            &x,
            MatmulShape {
                m: n,
                k: self.c,
                n,
                trans_a: false,
                trans_b: true,
            },
            false,
        )?;
        let norms: Vec<f32> = (0..n).map(|i| dots[i * n + i].sqrt().max(1e-12)).collect();
        let cosines = (0..n * n).map(|ij| dots[ij] / (norms[ij / n] * norms[ij % n])).collect();
        Ok((dots, cosines))
    }

    /// Cosine of `query (C)` with every row (V), by one matrix product `E q`.
    pub fn cosines_to(&self, dev: &Device, query: &[f32]) -> Result<Vec<f32>> {
        let v = self.tokens.len();
        let mut dots = vec![0.0; v]; // (V, 1) = E (V, C) · q (C, 1)
        matmul(dev, &mut dots, &self.table, query, MatmulShape::plain(v, self.c, 1), false)?;
        let q_norm = norm(query).max(1e-12);
        Ok((0..v).map(|i| dots[i] / (norm(self.vector(i)).max(1e-12) * q_norm)).collect())
    }

    /// The `k` tokens closest to `query` by cosine, best first, skipping the rows in `exclude`.
    pub fn nearest(&self, dev: &Device, query: &[f32], k: usize, exclude: &[usize]) -> Result<Vec<Neighbour>> {
        let cosines = self.cosines_to(dev, query)?;
        let candidates: Vec<usize> = (0..cosines.len()).filter(|i| !exclude.contains(i)).collect();
        Ok(best_of(&cosines, candidates, k)
            .into_iter()
            .map(|i| Neighbour {
                token: self.tokens[i].clone(),
                cosine: cosines[i],
            })
            .collect())
    }

    /// "a is to b as c is to ?": the `k` nearest tokens to `E[b] − E[a] + E[c]`, leaving out a, b and c.
    pub fn analogy(&self, dev: &Device, a: usize, b: usize, c: usize, k: usize) -> Result<Vec<Neighbour>> {
        let target: Vec<f32> = (0..self.c)
            .map(|j| self.vector(b)[j] - self.vector(a)[j] + self.vector(c)[j])
            .collect();
        self.nearest(dev, &target, k, &[a, b, c])
    }

    /// The rows `rows` (all rows when empty) → their first two principal components.
    pub fn principal_components(&self, rows: &[usize]) -> Projection {
        let all: Vec<usize> = if rows.is_empty() {
            (0..self.tokens.len()).collect()
        } else {
            rows.to_vec()
        };
        let (c, n) = (self.c, all.len() as f32);
        // mean (C) and the centred rows
        let mut mean = vec![0.0f32; c];
        for &i in &all {
            for (m, x) in mean.iter_mut().zip(self.vector(i)) {
                *m += x / n;
            }
        }
        // covariance Σ (C, C) = Σᵢ (xᵢ − mean)(xᵢ − mean)ᵀ / n
        let mut cov = vec![0.0f32; c * c];
        for &i in &all {
            let centred: Vec<f32> = self.vector(i).iter().zip(&mean).map(|(x, m)| x - m).collect();
            for r in 0..c {
                for s in 0..c {
                    cov[r * c + s] += centred[r] * centred[s] / n;
                }
            }
        }
        let total: f32 = (0..c).map(|r| cov[r * c + r]).sum::<f32>().max(1e-12);
        let first = power_iteration(&cov, c, None);
        let second = power_iteration(&cov, c, Some(&first));
        let explained = [rayleigh(&cov, c, &first) / total, rayleigh(&cov, c, &second) / total];
        Projection {
            axes: [first, second],
            mean,
            explained,
        }
    }
}

/// Everything a look at a few words shows: what the embedding-space widget draws.
#[derive(Debug, Clone, PartialEq)]
pub struct Exploration {
    /// The given words that are tokens of the vocabulary (trimmed, lower-cased for an uncased one, each once).
    pub words: Vec<String>,
    /// The given words that are not.
    pub missing: Vec<String>,
    pub dots: Vec<f32>,    // (n, n) between the words
    pub cosines: Vec<f32>, // (n, n)
    /// The `k` nearest tokens to each word, by cosine (the word itself left out).
    pub neighbours: Vec<Vec<Neighbour>>,
    /// The ordinary tokens (`tokens`) and the words, on the ordinary tokens'
    /// first two principal components.
    pub map: Map,
    /// For an analogy `[a, b, c]`: the `k` nearest tokens to `E[b] − E[a] + E[c]`.
    pub analogy: Option<Vec<Neighbour>>,
}

/// The vocabulary drawn on two principal components.
#[derive(Debug, Clone, PartialEq)]
pub struct Map {
    pub tokens: Vec<String>,
    pub vocabulary: Vec<[f32; 2]>, // one point per token of `tokens`
    pub words: Vec<[f32; 2]>,      // one point per word looked at
    pub explained: [f32; 2],       // share of the variance along each axis
}

impl EmbeddingSpace {
    /// A typed word as the vocabulary spells it: trimmed, and lower-cased unless the vocabulary is cased.
    fn key(&self, word: &str) -> String {
        match self.lowercase {
            true => word.trim().to_lowercase(),
            false => word.trim().to_string(),
        }
    }

    /// Look at `words`: their dot products and cosines, their `k` nearest
    /// tokens, the map of the vocabulary (the tokens for which `ordinary` is
    /// true: special tokens left out) and, if given, an analogy. Words the
    /// vocabulary lacks are listed in `missing`; if it has none of them, or
    /// lacks a word of the analogy, that is an error.
    pub fn explore(
        &self,
        dev: &Device,
        words: &[String],
        k: usize,
        analogy: Option<&[String; 3]>,
        ordinary: impl Fn(usize) -> bool,
    ) -> Result<Exploration> {
        if !(1..=50).contains(&k) {
            return Err(invalid(OP, "neighbours must be between 1 and 50."));
        }
        let (mut found, mut missing, mut ids) = (vec![], vec![], vec![]);
        for word in words.iter().map(|w| self.key(w)).filter(|w| !w.is_empty()) {
            match self.index(&word) {
                Ok(id) if !ids.contains(&id) => {
                    ids.push(id);
                    found.push(word);
                }
                Ok(_) => {}
                Err(_) => missing.push(word),
            }
        }
        if found.is_empty() {
            return Err(invalid(
                OP,
                format!(
                    "none of the words ({}) is a whole token of this model's vocabulary; try words it was trained on, like man, woman, milk, bread.",
                    missing.join(", ")
                ),
            ));
        }
        let (dots, cosines) = self.similarities(dev, &ids)?;
        let neighbours = ids
            .iter()
            .map(|&i| self.nearest(dev, self.vector(i), k, &[i]))
            .collect::<Result<Vec<_>>>()?;
        // The picture: principal components of the ordinary tokens.
        let rows: Vec<usize> = (0..self.tokens.len()).filter(|&i| ordinary(i)).collect();
        let pca = self.principal_components(&rows);
        let map = Map {
            tokens: rows.iter().map(|&i| self.tokens[i].clone()).collect(),
            vocabulary: rows.iter().map(|&i| pca.project(self.vector(i))).collect(),
            words: ids.iter().map(|&i| pca.project(self.vector(i))).collect(),
            explained: pca.explained,
        };
        let analogy = match analogy {
            Some([a, b, c]) => {
                let index = |w: &String| self.index(&self.key(w));
                Some(self.analogy(dev, index(a)?, index(b)?, index(c)?, k)?)
            }
            None => None,
        };
        Ok(Exploration {
            words: found,
            missing,
            dots,
            cosines,
            neighbours,
            map,
            analogy,
        })
    }
}

impl Projection {
    /// Where `x (C)` lies along the two axes.
    pub fn project(&self, x: &[f32]) -> [f32; 2] {
        let centred: Vec<f32> = x.iter().zip(&self.mean).map(|(a, m)| a - m).collect();
        [dot(&centred, &self.axes[0]), dot(&centred, &self.axes[1])]
    }
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(a: &[f32]) -> f32 {
    dot(a, a).sqrt()
}

/// `uᵀ Σ u` for a unit `u`: the variance along `u`.
fn rayleigh(cov: &[f32], c: usize, u: &[f32]) -> f32 {
    (0..c).map(|r| u[r] * dot(&cov[r * c..(r + 1) * c], u)).sum()
}

/// The top eigenvector of the symmetric `cov (C, C)`, or the top one
/// orthogonal to `orthogonal_to`: repeat `u ← Σu / ‖Σu‖` from a fixed start.
fn power_iteration(cov: &[f32], c: usize, orthogonal_to: Option<&[f32]>) -> Vec<f32> {
    // A deterministic start that is not orthogonal to anything in particular.
    let mut u: Vec<f32> = (0..c).map(|i| 1.0 + 0.37 * ((i * 7919) % 13) as f32).collect();
    let remove = |u: &mut Vec<f32>| {
        if let Some(v) = orthogonal_to {
            let along = dot(u, v);
            u.iter_mut().zip(v).for_each(|(a, b)| *a -= along * b);
        }
    };
    remove(&mut u);
    for _ in 0..500 {
        let n = norm(&u).max(1e-20);
        u.iter_mut().for_each(|a| *a /= n);
        let mut next: Vec<f32> = (0..c).map(|r| dot(&cov[r * c..(r + 1) * c], &u)).collect();
        remove(&mut next);
        let n_next = norm(&next);
        if n_next < 1e-20 {
            break; // no variance left in the directions allowed
        }
        next.iter_mut().for_each(|a| *a /= n_next);
        let change: f32 = next.iter().zip(&u).map(|(a, b)| (a - b).abs()).sum();
        u = next;
        if change < 1e-7 {
            break;
        }
    }
    let n = norm(&u).max(1e-20);
    u.iter_mut().for_each(|a| *a /= n);
    // A sign convention so the picture does not flip between runs: the largest entry is positive.
    let largest = u.iter().copied().fold(0.0f32, |m, a| if a.abs() > m.abs() { a } else { m });
    if largest < 0.0 {
        u.iter_mut().for_each(|a| *a = -*a);
    }
    u
}
