//! Shamir secret sharing over GF(2^8), compatible with sops (HashiCorp
//! Vault's scheme): each share is the y-bytes followed by its x coordinate.

use crate::error::{Result, UnsupportedError};
use zeroize::Zeroizing;

fn mult(a: u8, b: u8) -> u8 {
    let mut acc: u8 = 0;
    for i in (0..8).rev() {
        let bit = (b >> i) & 1;
        let a_or_zero = 0u8.wrapping_sub(bit) & a;
        let reduce = 0u8.wrapping_sub(acc >> 7) & 0x1B;
        acc = a_or_zero ^ (reduce ^ acc.wrapping_add(acc));
    }
    acc
}

fn inverse(a: u8) -> u8 {
    // a^254
    let mut result = 1u8;
    for _ in 0..254 {
        result = mult(result, a);
    }
    result
}

fn div(a: u8, b: u8) -> u8 {
    mult(a, inverse(b))
}

fn interpolate_at_zero(xs: &[u8], ys: &[u8]) -> u8 {
    let mut result = 0u8;
    for i in 0..xs.len() {
        let mut basis = 1u8;
        for j in 0..xs.len() {
            if i == j {
                continue;
            }
            // (0 - x_j) / (x_i - x_j) in GF(2^8): x_j / (x_i ^ x_j)
            basis = mult(basis, div(xs[j], xs[i] ^ xs[j]));
        }
        result ^= mult(ys[i], basis);
    }
    result
}

/// Splits `secret` into `parts` shares, any `threshold` of which recover it.
pub(crate) fn split(
    secret: &[u8],
    parts: usize,
    threshold: usize,
) -> Result<Vec<Zeroizing<Vec<u8>>>> {
    if parts < threshold || parts > 255 || !(2..=255).contains(&threshold) || secret.is_empty() {
        return Err(UnsupportedError::ShamirSplit {
            shares: parts,
            threshold,
        }
        .into());
    }
    let mut out: Vec<Zeroizing<Vec<u8>>> = (0..parts)
        .map(|i| {
            let mut v = vec![0u8; secret.len() + 1];
            v[secret.len()] = i as u8 + 1;
            Zeroizing::new(v)
        })
        .collect();
    let mut coeffs = Zeroizing::new(vec![0u8; threshold - 1]);
    for (idx, &val) in secret.iter().enumerate() {
        getrandom::getrandom(&mut coeffs)
            .map_err(|e| UnsupportedError::NoRandomness(e.to_string()))?;
        for (i, share) in out.iter_mut().enumerate() {
            let x = i as u8 + 1;
            // Horner: val + c1 x + c2 x^2 ...
            let mut y = 0u8;
            for &c in coeffs.iter().rev() {
                y = mult(y, x) ^ c;
            }
            y = mult(y, x) ^ val;
            share[idx] = y;
        }
    }
    Ok(out)
}

/// Recombines shares made by [`split`] (or by sops).
pub(crate) fn combine(parts: &[Zeroizing<Vec<u8>>]) -> Result<Zeroizing<Vec<u8>>> {
    if parts.len() < 2 {
        return Err(UnsupportedError::ShamirCombine("need at least two shares").into());
    }
    let len = parts[0].len();
    if len < 2 || parts.iter().any(|p| p.len() != len) {
        return Err(UnsupportedError::ShamirCombine("shares differ in length").into());
    }
    let xs: Vec<u8> = parts.iter().map(|p| p[len - 1]).collect();
    for (i, x) in xs.iter().enumerate() {
        if xs[..i].contains(x) {
            return Err(UnsupportedError::ShamirCombine("duplicate share").into());
        }
    }
    let mut secret = Zeroizing::new(vec![0u8; len - 1]);
    let mut ys = vec![0u8; parts.len()];
    for (idx, s) in secret.iter_mut().enumerate() {
        for (i, p) in parts.iter().enumerate() {
            ys[i] = p[idx];
        }
        *s = interpolate_at_zero(&xs, &ys);
    }
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_inverse() {
        for a in 1..=255u8 {
            assert_eq!(mult(a, inverse(a)), 1, "{a}");
        }
    }

    #[test]
    fn split_and_combine_any_subset() {
        let secret = [42u8; 32];
        let shares = split(&secret, 3, 2).unwrap();
        for (a, b) in [(0, 1), (0, 2), (1, 2)] {
            let got = combine(&[shares[a].clone(), shares[b].clone()]).unwrap();
            assert_eq!(&got[..], &secret[..]);
        }
        let one = combine(&shares[..1]);
        assert!(one.is_err());
    }
}
