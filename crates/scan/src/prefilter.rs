//! The keyword prefilter: one pass over the content that reports every
//! occurrence of every rule keyword (ASCII case-insensitive, overlapping).
//!
//! It is an Aho-Corasick automaton compiled to a dense DFA with one row of
//! 256 transitions per state and state ids premultiplied by 256, so a step
//! is `state = table[state | byte]`: one OR and one load. A single DFA
//! walk is bound by the latency of that load (each step needs the
//! previous state), so large inputs are cut into four stretches walked in
//! lockstep: four independent chains keep the core busy. Each stretch
//! starts `longest keyword - 1` bytes early so no keyword straddling a cut
//! is lost, and reports only what ends inside it. (A smaller table, with
//! keywords cut to 4 bytes and 16-bit states, measured no faster: the walk
//! is not bound by the cache.) Automata of more than 8,192 states
//! (thousands of custom keywords) fall back to `aho-corasick`.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

/// One keyword occurrence: where it starts and which keyword it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hit {
    pub start: usize,
    pub keyword: usize,
}

#[doc(hidden)]
pub struct Prefilter {
    keywords: Vec<Vec<u8>>,
    imp: Imp,
}

enum Imp {
    Empty,
    Dense(Box<Dense>),
    Fallback(AhoCorasick),
}

struct Dense {
    /// Transitions: `trans[state | byte]`, states premultiplied by 256.
    trans: Vec<u32>,
    /// States at or above this id are match states.
    first_match: u32,
    /// Keyword ids ending in each match state: `outputs[out_at[m]..out_at[m + 1]]`
    /// where `m = (state - first_match) / 256`.
    out_at: Vec<u32>,
    outputs: Vec<u32>,
    /// Longest keyword, in bytes.
    longest: usize,
}

/// The largest dense automaton (its table takes 1 KiB per state).
const MAX_STATES: usize = 8192;

/// Buffers of a search, kept between calls (see [`Prefilter::hits`]).
#[derive(Debug, Default)]
pub(crate) struct Buffers {
    ends: Vec<(usize, u32)>,
    lanes: [Vec<(usize, u32)>; 3],
}

/// Inputs shorter than this are walked as one stretch.
const LOCKSTEP_MIN: usize = 1 << 10;

impl Prefilter {
    /// Builds the prefilter; keywords are matched ASCII case-insensitively.
    pub(crate) fn new(keywords: &[String]) -> Prefilter {
        let keywords: Vec<Vec<u8>> = keywords
            .iter()
            .map(|k| k.as_bytes().to_ascii_lowercase())
            .collect();
        let imp = if keywords.is_empty() || keywords.iter().any(Vec::is_empty) {
            Imp::Empty
        } else {
            match Dense::build(&keywords) {
                Some(d) => Imp::Dense(Box::new(d)),
                None => Imp::Fallback(
                    AhoCorasickBuilder::new()
                        .ascii_case_insensitive(true)
                        .match_kind(MatchKind::Standard)
                        .kind(Some(AhoCorasickKind::DFA))
                        .build(&keywords)
                        .expect("keywords are plain byte strings"),
                ),
            }
        };
        Prefilter { keywords, imp }
    }

    /// The number of keyword occurrences (for benchmarks).
    #[doc(hidden)]
    pub fn count(&self, data: &[u8]) -> usize {
        let mut v = Vec::new();
        self.hits(data, &mut v, &mut Buffers::default());
        v.len()
    }

    /// The length of keyword `k` in bytes.
    pub(crate) fn keyword_len(&self, k: usize) -> usize {
        self.keywords[k].len()
    }

    /// Every keyword occurrence, ordered by where it ends (longest first
    /// among those ending together).
    pub(crate) fn hits(&self, data: &[u8], out: &mut Vec<Hit>, buf: &mut Buffers) {
        out.clear();
        match &self.imp {
            Imp::Empty => {}
            Imp::Fallback(ac) => {
                for m in ac.find_overlapping_iter(data) {
                    out.push(Hit {
                        start: m.start(),
                        keyword: m.pattern().as_usize(),
                    });
                }
                let len = |h: &Hit| self.keywords[h.keyword].len();
                out.sort_by_key(|h| (h.start + len(h), std::cmp::Reverse(len(h))));
            }
            Imp::Dense(d) => {
                buf.ends.clear();
                d.ends(data, &mut buf.ends, &mut buf.lanes);
                for &(end, state) in &buf.ends {
                    let m = ((state - d.first_match) >> 8) as usize;
                    for &k in &d.outputs[d.out_at[m] as usize..d.out_at[m + 1] as usize] {
                        let k = k as usize;
                        out.push(Hit {
                            start: end + 1 - self.keywords[k].len(),
                            keyword: k,
                        });
                    }
                }
            }
        }
    }
}

impl Dense {
    fn build(keywords: &[Vec<u8>]) -> Option<Dense> {
        // Byte classes: one per distinct (lowercase) keyword byte, both
        // cases of a letter in the same class, every other byte in class 0.
        let mut classes = [0u8; 256];
        let mut n = 1usize;
        for k in keywords {
            for &b in k {
                if classes[b as usize] == 0 {
                    if n > 255 {
                        return None;
                    }
                    classes[b as usize] = n as u8;
                    n += 1;
                }
            }
        }
        for b in b'a'..=b'z' {
            classes[b.to_ascii_uppercase() as usize] = classes[b as usize];
        }
        let nc = n;
        // The trie.
        let mut goto: Vec<Vec<u32>> = vec![vec![u32::MAX; nc]];
        let mut out: Vec<Vec<u32>> = vec![Vec::new()];
        for (i, k) in keywords.iter().enumerate() {
            let mut s = 0usize;
            for &b in k {
                let c = classes[b as usize] as usize;
                if goto[s][c] == u32::MAX {
                    goto.push(vec![u32::MAX; nc]);
                    out.push(Vec::new());
                    goto[s][c] = (goto.len() - 1) as u32;
                }
                s = goto[s][c] as usize;
            }
            if !out[s].contains(&(i as u32)) {
                out[s].push(i as u32);
            }
        }
        let ns = goto.len();
        if ns > MAX_STATES {
            return None;
        }
        // Failure links, breadth first, folded into a complete DFA.
        let mut delta = vec![vec![0u32; nc]; ns];
        let mut fail = vec![0usize; ns];
        let mut queue = std::collections::VecDeque::new();
        for c in 0..nc {
            if goto[0][c] != u32::MAX {
                let t = goto[0][c];
                delta[0][c] = t;
                queue.push_back(t as usize);
            }
        }
        while let Some(s) = queue.pop_front() {
            let f = fail[s];
            let inherited = out[f].clone();
            for k in inherited {
                if !out[s].contains(&k) {
                    out[s].push(k);
                }
            }
            for c in 0..nc {
                let t = goto[s][c];
                if t != u32::MAX {
                    fail[t as usize] = if s == 0 { 0 } else { delta[f][c] as usize };
                    delta[s][c] = t;
                    queue.push_back(t as usize);
                } else {
                    delta[s][c] = delta[f][c];
                }
            }
        }
        // Renumber: plain states first, then match states.
        let mut order: Vec<usize> = (0..ns).filter(|&s| out[s].is_empty()).collect();
        let first_match_index = order.len();
        order.extend((0..ns).filter(|&s| !out[s].is_empty()));
        let mut new_id = vec![0usize; ns];
        for (i, &s) in order.iter().enumerate() {
            new_id[s] = i;
        }
        let mut trans = vec![0u32; ns * 256];
        for s in 0..ns {
            for b in 0..256 {
                let c = classes[b] as usize;
                trans[new_id[s] * 256 + b] = (new_id[delta[s][c] as usize] * 256) as u32;
            }
        }
        let mut out_at = vec![0u32];
        let mut outputs = Vec::new();
        for &s in &order[first_match_index..] {
            // Longest first, so a caller sees `api_token` before `token`.
            let mut o = out[s].clone();
            o.sort_by_key(|&k| std::cmp::Reverse(keywords[k as usize].len()));
            outputs.extend(o);
            out_at.push(outputs.len() as u32);
        }
        Some(Dense {
            trans,
            first_match: (first_match_index * 256) as u32,
            out_at,
            outputs,
            longest: keywords.iter().map(Vec::len).max().unwrap_or(1),
        })
    }

    #[inline]
    fn step(&self, s: u32, b: u8) -> u32 {
        self.trans[(s | b as u32) as usize]
    }

    /// End positions (and match states) of keyword occurrences, in order.
    #[inline(never)]
    fn ends(&self, h: &[u8], out: &mut Vec<(usize, u32)>, lanes: &mut [Vec<(usize, u32)>; 3]) {
        let n = h.len();
        let fm = self.first_match;
        if n < LOCKSTEP_MIN {
            let mut s = 0u32;
            for (i, &b) in h.iter().enumerate() {
                s = self.step(s, b);
                if s >= fm {
                    out.push((i, s));
                }
            }
            return;
        }
        // Four stretches of q bytes (the last one also takes the tail),
        // each primed with the `longest - 1` bytes before it.
        let q = n / 4;
        let lead = self.longest - 1;
        let prime = |from: usize| {
            let mut s = 0u32;
            for &b in &h[from - lead.min(from)..from] {
                s = self.step(s, b);
            }
            s
        };
        let (mut s0, mut s1, mut s2, mut s3) = (0u32, prime(q), prime(2 * q), prime(3 * q));
        let [o1, o2, o3] = lanes;
        o1.clear();
        o2.clear();
        o3.clear();
        let t = &self.trans[..];
        let lanes = h[..q]
            .iter()
            .zip(&h[q..2 * q])
            .zip(&h[2 * q..3 * q])
            .zip(&h[3 * q..4 * q]);
        for (i, (((&b0, &b1), &b2), &b3)) in lanes.enumerate() {
            s0 = t[(s0 | b0 as u32) as usize];
            s1 = t[(s1 | b1 as u32) as usize];
            s2 = t[(s2 | b2 as u32) as usize];
            s3 = t[(s3 | b3 as u32) as usize];
            if s0.max(s1).max(s2).max(s3) >= fm {
                if s0 >= fm {
                    out.push((i, s0));
                }
                if s1 >= fm {
                    o1.push((q + i, s1));
                }
                if s2 >= fm {
                    o2.push((2 * q + i, s2));
                }
                if s3 >= fm {
                    o3.push((3 * q + i, s3));
                }
            }
        }
        for (i, &b) in h.iter().enumerate().skip(4 * q) {
            s3 = self.step(s3, b);
            if s3 >= fm {
                o3.push((i, s3));
            }
        }
        out.extend_from_slice(o1);
        out.extend_from_slice(o2);
        out.extend_from_slice(o3);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(keywords: &[&str], data: &[u8]) -> Vec<Hit> {
        let lower = data.to_ascii_lowercase();
        let mut v = Vec::new();
        for end in 0..lower.len() {
            let mut here: Vec<usize> = (0..keywords.len())
                .filter(|&k| {
                    let kw = keywords[k].as_bytes();
                    end + 1 >= kw.len() && &lower[end + 1 - kw.len()..=end] == kw
                })
                .collect();
            here.sort_by_key(|&k| std::cmp::Reverse(keywords[k].len()));
            v.extend(here.into_iter().map(|k| Hit {
                start: end + 1 - keywords[k].len(),
                keyword: k,
            }));
        }
        v
    }

    #[test]
    fn every_overlapping_occurrence_in_order_across_stretches() {
        let kws = ["key", "api_key", "ey", "token", "tskey-", "sk", "ghp_", "a"];
        let owned: Vec<String> = kws.iter().map(|s| s.to_string()).collect();
        let p = Prefilter::new(&owned);
        let mut text = Vec::new();
        let mut seed = 7u64;
        // Long enough for four stretches; keywords land on the cuts too.
        while text.len() < 40_000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            match seed >> 60 {
                0 => text.extend_from_slice(b"API_KEY"),
                1 => text.extend_from_slice(b"TsKeY-"),
                2 => text.extend_from_slice(b"ghp_"),
                3 => text.push(b'\n'),
                _ => text.push(b"abcdefghijklmnopqrstuvwxyz_-KEY"[(seed >> 40) as usize % 31]),
            }
        }
        let mut got = Vec::new();
        let lens = [0, 1, 5, 1023, 1024, 1025, 8191, 8192, 20_001, text.len()];
        for len in lens {
            p.hits(&text[..len], &mut got, &mut Buffers::default());
            assert_eq!(got, naive(&kws, &text[..len]), "len {len}");
        }
    }

    #[test]
    fn fallback_agrees() {
        let owned: Vec<String> = vec!["key".into(), "ey".into()];
        let p = Prefilter::new(&owned);
        let ac = Prefilter {
            keywords: p.keywords.clone(),
            imp: Imp::Fallback(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .build(&p.keywords)
                    .unwrap(),
            ),
        };
        let (mut a, mut b) = (Vec::new(), Vec::new());
        p.hits(b"monkey KEY they", &mut a, &mut Buffers::default());
        ac.hits(b"monkey KEY they", &mut b, &mut Buffers::default());
        assert_eq!(a, b);
    }
}
