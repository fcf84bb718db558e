//! The optimised kernels against the reference kernels, bit for bit, on random layers whose
//! lengths leave every tail (reductions not a multiple of 4, output counts not a multiple
//! of 4, padding on every side, strides above 1).

use super::*;
use crate::quant::channel::Channel;
use crate::quant::requant::quantize_multiplier;
use crate::quant::weights::Weights;
use crate::quant::{conv, dense as reference};
use crate::rng::Prng;
use std::vec::Vec;

/// Weights, records, inputs and zero points of a random layer ([`cases::layer`]).
struct Layer {
    w: Vec<u8>,
    channels: Vec<ChannelBytes>,
    io: LayerIo,
    x: Vec<i8>,
}

impl Layer {
    fn new(rng: &mut Prng, len: usize, out: usize, inputs: usize) -> Self {
        let mut w = std::vec![0; len * out];
        let mut channels = std::vec![[0; 12]; out];
        let mut x = std::vec![0; inputs];
        let io = cases::layer(rng, len, &mut w, &mut channels, &mut x);
        Self { w, channels, io, x }
    }
}

/// [`dense`] on `i8` weights, typed as [`m4::dense`].
fn dispatch_dense(
    w: &[u8],
    c: &[ChannelBytes],
    io: LayerIo,
    x: &[i8],
    y: &mut [i8],
    inp: usize,
    out: usize,
) {
    dense(Weights::I8(w), c, io, x, y, inp, out)
}

#[test]
fn dense_kernels_match_reference() {
    let mut rng = Prng::new(13);
    let (mut cases, mut unclamped, mut total) = (0, 0, 0);
    for inp in [1, 2, 3, 4, 5, 7, 8, 9, 31, 32, 33, 67] {
        for out in [1, 2, 3, 4, 5, 7, 8, 9, 13] {
            let batch = 1 + (inp + out) % 3;
            let l = Layer::new(&mut rng, inp, out, batch * inp);
            let mut want = std::vec![0i8; batch * out];
            reference::forward::<i8, _, _>(&l.w, &l.channels, l.io, &l.x, &mut want, inp, out);
            type Kernel = fn(&[u8], &[ChannelBytes], LayerIo, &[i8], &mut [i8], usize, usize);
            let kernels: [(&str, Kernel); 3] = [
                ("m4", m4::dense::<column::Column>),
                ("m0", m4::dense::<m0::Plain>),
                ("dispatch", dispatch_dense),
            ];
            for (name, kernel) in kernels {
                let mut got = std::vec![0x55i8; batch * out];
                kernel(&l.w, &l.channels, l.io, &l.x, &mut got, inp, out);
                assert_eq!(got, want, "{name}: inp {inp}, out {out}, batch {batch}");
            }
            unclamped += want
                .iter()
                .filter(|&&v| i32::from(v) > l.io.min && v < 127)
                .count();
            total += want.len();
            cases += 1;
        }
    }
    assert_eq!(cases, 12 * 9);
    assert!(
        unclamped * 2 > total,
        "{unclamped} of {total} outputs unclamped"
    );
}

/// The extremes: every weight ±128 or 127 against inputs ±255 from the zero point, so each
/// term is −128·255 or −127·255, over 33 terms and over a row of the column's capacity;
/// the multiplier brings the sum into range, and every output is checked against the sum
/// worked out by hand.
#[test]
fn dense_kernels_match_reference_at_the_extremes() {
    let mut rng = Prng::new(5);
    let extremes = [
        (33, 5, 0x80, 127, -128, -128 * 255),
        (33, 5, 0x7f, -128, 127, 127 * -255),
        (column::CAP, 6, 0x80, 127, -128, -128 * 255),
    ];
    for (inp, out, wb, xb, zero, term) in extremes {
        let mut l = Layer::new(&mut rng, inp, out, inp);
        l.w.fill(wb);
        l.x.fill(xb);
        l.io = LayerIo::new(zero, 0);
        // M = 2^-k with the sum in (2^(k+6), 2^(k+7)]: outputs in −128..=−64.
        let sum = term * inp as i32;
        let k = 32 - (sum.unsigned_abs() - 1).leading_zeros() as i32 - 7;
        let m = Channel {
            bias: 0,
            requant: quantize_multiplier(libm::exp2(-k as f64)).unwrap(),
        };
        l.channels.fill(m.to_le_bytes());
        let by_hand = (sum as f64 * libm::exp2(-k as f64)).round() as i8;
        assert!((-128..=-64).contains(&(by_hand as i32)));
        let mut want = std::vec![0i8; out];
        reference::forward::<i8, _, _>(&l.w, &l.channels, l.io, &l.x, &mut want, inp, out);
        assert!(
            want.iter().all(|&v| v == by_hand),
            "{want:?} against {by_hand}"
        );
        for kernel in [
            m4::dense::<column::Column>,
            m4::dense::<m0::Plain>,
            dispatch_dense,
        ] {
            let mut got = std::vec![0i8; out];
            kernel(&l.w, &l.channels, l.io, &l.x, &mut got, inp, out);
            assert_eq!(got, want, "inp {inp}, weights {wb:#x}, inputs {xb}");
        }
    }
}

#[test]
fn conv_kernels_match_reference() {
    let mut rng = Prng::new(21);
    let mut cases = 0;
    while cases < 300 {
        let Some(s) = cases::conv_shape(&mut rng) else {
            continue;
        };
        let batch = 1 + cases % 2;
        let l = Layer::new(&mut rng, s.cin * s.kh * s.kw, s.cout, batch * s.in_len());
        let mut want = std::vec![0i8; batch * s.out_len()];
        conv::conv2d::<i8, _, _>(&s, &l.w, &l.channels, l.io, &l.x, &mut want);
        for (name, kernel) in [
            (
                "m4",
                m4::conv2d::<column::Column> as fn(&_, &_, &_, _, &_, &mut _),
            ),
            ("m0", m4::conv2d::<m0::Plain>),
            ("dispatch", |s, w, c, io, x, y| {
                conv2d(s, Weights::I8(w), c, io, x, y)
            }),
        ] {
            let mut got = std::vec![0x55i8; want.len()];
            kernel(&s, &l.w, &l.channels, l.io, &l.x, &mut got);
            assert_eq!(got, want, "{name}: {s:?}, batch {batch}");
        }
        cases += 1;
    }
}

#[test]
fn transposed_conv_kernels_match_reference() {
    let mut rng = Prng::new(23);
    let mut cases = 0;
    while cases < 300 {
        let Some(s) = cases::conv_shape(&mut rng) else {
            continue;
        };
        let batch = 1 + cases % 2;
        // Each output sums over cout·⌈kh/sh⌉·⌈kw/sw⌉ taps at most.
        let len = s.cout * s.kh.div_ceil(s.sh) * s.kw.div_ceil(s.sw);
        let l = Layer::new(&mut rng, len, s.cin, batch * s.out_len());
        let mut w = std::vec![0u8; s.cout * s.cin * s.kh * s.kw];
        w.iter_mut().for_each(|v| *v = rng.next_u32() as u8);
        let mut want = std::vec![0i8; batch * s.in_len()];
        conv::conv_transpose2d::<i8, _, _>(&s, &w, &l.channels, l.io, &l.x, &mut want);
        assert!(m4::fits_transposed(&s));
        for (name, kernel) in [
            (
                "m4",
                m4::conv_transpose2d::<column::Column> as fn(&_, &_, &_, _, &_, &mut _),
            ),
            ("m0", m4::conv_transpose2d::<m0::Plain>),
            ("dispatch", |s, w, c, io, x, y| {
                conv_transpose2d(s, Weights::I8(w), c, io, x, y)
            }),
        ] {
            let mut got = std::vec![0x55i8; want.len()];
            kernel(&s, &w, &l.channels, l.io, &l.x, &mut got);
            assert_eq!(got, want, "{name}: {s:?}, batch {batch}");
        }
        cases += 1;
    }
}

/// The digits generator's transposed convolution (32×4×4 to 16×8×8, k4, s2, p1), the
/// layer the packed kernel is for, and the gathering bound it meets exactly.
#[test]
fn digits_transposed_conv_matches_reference() {
    let s = crate::layers::ConvTranspose2d::<32, 16, 4, 4, 4, 2, 1, 8, 8>::SHAPE;
    assert!(m4::fits_transposed(&s));
    assert_eq!(s.cin * s.cout * 2 * 2, m4::GATHER);
    let mut rng = Prng::new(3);
    let l = Layer::new(&mut rng, 32 * 4, s.cin, s.out_len());
    let mut w = std::vec![0u8; s.cout * s.cin * 16];
    w.iter_mut().for_each(|v| *v = rng.next_u32() as u8);
    let mut want = std::vec![0i8; s.in_len()];
    conv::conv_transpose2d::<i8, _, _>(&s, &w, &l.channels, l.io, &l.x, &mut want);
    for kernel in [
        m4::conv_transpose2d::<column::Column>,
        m4::conv_transpose2d::<m0::Plain>,
    ] {
        let mut got = std::vec![0i8; s.in_len()];
        kernel(&s, &w, &l.channels, l.io, &l.x, &mut got);
        assert_eq!(got, want);
    }
}
