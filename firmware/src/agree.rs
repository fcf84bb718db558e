//! Self-test of the optimised int8 kernels on the board, bit for bit: the DSP instructions
//! (on a Cortex-M4; the portable twin elsewhere) against their portable twin on edge
//! values, and every optimised kernel and the dispatch against the reference kernels on
//! random layers drawn from a seed (`quant::fast::cases`, the layers the host's tests draw).

use crate::checks::Checks;
use tinygan_core::kernels::conv::ConvShape;
use tinygan_core::quant::fast::column::Column;
use tinygan_core::quant::fast::{self, cases, m4, pairs};
use tinygan_core::quant::{ChannelBytes, LayerIo, Weights, conv, dense};
use tinygan_core::rng::Prng;

/// Runs every check below (not inlined, so that its buffers share the stack with the
/// caller's instead of adding to them).
#[inline(never)]
pub fn run(checks: &mut Checks) {
    instructions(checks);
    dense_kernels(checks);
    conv_kernels(checks, false);
    conv_kernels(checks, true);
}

/// SXTB16, SMLAD, SXTB16 ROR 8, SMLAD ([`pairs::mac4`]) on every quadruple of edge words
/// (weight word, the two column words, accumulator).
fn instructions(checks: &mut Checks) {
    let e = pairs::EDGE_WORDS;
    let (mut bad, mut n) = (0, 0);
    for &w in &e {
        for &c0 in &e {
            for &c1 in &e {
                for &acc in &e {
                    let (acc, c) = (acc as i32, [c0, c1]);
                    bad += (pairs::mac4(acc, w, c) != pairs::portable::mac4(acc, w, c)) as usize;
                    n += 1;
                }
            }
        }
    }
    checks.agree("sxtb16, smlad, sxtb16 ror 8, smlad = portable", bad, n);
}

type DenseKernel = fn(&[u8], &[ChannelBytes], LayerIo, &[i8], &mut [i8], usize, usize);
type ConvKernel = fn(&ConvShape, &[u8], &[ChannelBytes], LayerIo, &[i8], &mut [i8]);

const INPUTS: [usize; 10] = [1, 3, 4, 5, 7, 9, 31, 32, 33, 67];
const OUTPUTS: [usize; 6] = [1, 3, 4, 5, 9, 13];

/// Every optimised dense kernel against [`dense::forward`] on layers of every size in
/// [`INPUTS`] × [`OUTPUTS`], batch 2.
fn dense_kernels(checks: &mut Checks) {
    let kernels: [(&str, DenseKernel); 2] = [
        ("int8 dense: m4 = reference", m4::dense::<Column>),
        (
            "int8 dense: dispatch = reference",
            |w, c, io, x, y, i, o| fast::dense(Weights::I8(w), c, io, x, y, i, o),
        ),
    ];
    for (name, kernel) in kernels {
        let mut rng = Prng::new(31);
        let (mut bad, mut n) = (0, 0);
        for inp in INPUTS {
            for out in OUTPUTS {
                let mut w = [0u8; 67 * 13];
                let mut ch = [[0u8; 12]; 13];
                let mut x = [0i8; 2 * 67];
                let (w, ch, x) = (&mut w[..inp * out], &mut ch[..out], &mut x[..2 * inp]);
                let io = cases::layer(&mut rng, inp, w, ch, x);
                let (mut want, mut got) = ([0i8; 2 * 13], [0i8; 2 * 13]);
                let (want, got) = (&mut want[..2 * out], &mut got[..2 * out]);
                dense::forward::<i8, _, _>(w, ch, io, x, want, inp, out);
                kernel(w, ch, io, x, got, inp, out);
                bad += got.iter().zip(&*want).filter(|(g, w)| g != w).count();
                n += want.len();
            }
        }
        checks.agree(name, bad, n);
    }
}

/// The optimised convolution (or, if `transposed`, transposed convolution) and the
/// dispatch against the reference kernel on 100 random shapes ([`cases::conv_shape`]),
/// batch 1.
fn conv_kernels(checks: &mut Checks, transposed: bool) {
    let (reference, kernels): (ConvKernel, [(&str, ConvKernel); 2]) = if transposed {
        (
            conv::conv_transpose2d::<i8, i8, i8>,
            [
                (
                    "int8 conv_transpose2d: m4 = reference",
                    m4::conv_transpose2d::<Column>,
                ),
                (
                    "int8 conv_transpose2d: dispatch = reference",
                    |s, w, c, io, x, y| fast::conv_transpose2d(s, Weights::I8(w), c, io, x, y),
                ),
            ],
        )
    } else {
        (
            conv::conv2d::<i8, i8, i8>,
            [
                ("int8 conv2d: m4 = reference", m4::conv2d::<Column>),
                ("int8 conv2d: dispatch = reference", |s, w, c, io, x, y| {
                    fast::conv2d(s, Weights::I8(w), c, io, x, y)
                }),
            ],
        )
    };
    const MAX: (usize, usize, usize) = cases::CONV_MAX;
    const CODES: usize = if MAX.1 > MAX.2 { MAX.1 } else { MAX.2 };
    for (name, kernel) in kernels {
        let mut rng = Prng::new(37 + transposed as u64);
        let (mut bad, mut n, mut shapes) = (0, 0, 0);
        while shapes < 100 {
            let Some(s) = cases::conv_shape(&mut rng) else {
                continue;
            };
            // Output channels, terms a sum (at most), input and output codes.
            let (outs, len, inputs, outputs) = if transposed {
                let len = s.cout * s.kh.div_ceil(s.sh) * s.kw.div_ceil(s.sw);
                (s.cin, len, s.out_len(), s.in_len())
            } else {
                (s.cout, s.cin * s.kh * s.kw, s.in_len(), s.out_len())
            };
            let mut w = [0u8; MAX.0];
            let mut ch = [[0u8; 12]; 6];
            let mut x = [0i8; CODES];
            let w = &mut w[..s.cout * s.cin * s.kh * s.kw];
            let (ch, x) = (&mut ch[..outs], &mut x[..inputs]);
            let io = cases::layer(&mut rng, len, w, ch, x);
            let (mut want, mut got) = ([0i8; CODES], [0i8; CODES]);
            let (want, got) = (&mut want[..outputs], &mut got[..outputs]);
            reference(&s, w, ch, io, x, want);
            kernel(&s, w, ch, io, x, got);
            bad += got.iter().zip(&*want).filter(|(g, w)| g != w).count();
            n += want.len();
            shapes += 1;
        }
        checks.agree(name, bad, n);
    }
}
