//! Writing a network into a model file, into a caller-provided buffer (no heap), so that
//! a device can send a fine-tuned model back as readily as the host writes one.

use super::{ALIGN, ENTRY_LEN, Fingerprint, HEADER_LEN, MAGIC, Role, VERSION, WriteError};
use super::{crc32, data_start};
use crate::params::Params;

/// The tensors of a file in table order: `(role, index, values)`.
fn for_each_tensor<'a, N: Params>(
    net: &'a N,
    scaling: Option<(&'a [f32], &'a [f32])>,
    mut f: impl FnMut(Role, usize, &'a [f32]),
) {
    for i in 0..N::TENSORS {
        f(Role::Param, i, net.tensor(i));
    }
    for i in 0..N::BUFFERS {
        f(Role::Buffer, i, net.buffer(i));
    }
    if let Some((offset, scale)) = scaling {
        f(Role::OutputOffset, 0, offset);
        f(Role::OutputScale, 0, scale);
    }
}

fn padded(bytes: usize) -> usize {
    bytes.div_ceil(ALIGN) * ALIGN
}

/// Size in bytes of the file [`write()`] produces for `net` and `scaling`.
pub fn encoded_len<N: Params>(net: &N, scaling: Option<(&[f32], &[f32])>) -> usize {
    let (mut count, mut data) = (0, 0);
    for_each_tensor(net, scaling, |_, _, t| {
        count += 1;
        data += padded(4 * t.len());
    });
    data_start(count) + data
}

/// Writes `net` (every parameter and buffer) and the optional output-to-data-units map
/// `scaling = (offset, scale)` into `buf`; returns the number of bytes written.
pub fn write<N: Params + Fingerprint>(
    net: &N,
    scaling: Option<(&[f32], &[f32])>,
    buf: &mut [u8],
) -> Result<usize, WriteError> {
    if scaling.is_some_and(|(o, s)| o.len() != s.len()) {
        return Err(WriteError::ScalingMismatch);
    }
    let total = encoded_len(net, scaling);
    if buf.len() < total {
        return Err(WriteError::BufferTooSmall {
            needed: total as u32,
        });
    }
    let buf = &mut buf[..total];
    buf.fill(0);
    let mut count = 0usize;
    for_each_tensor(net, scaling, |_, _, _| count += 1);
    let start = data_start(count);

    let (mut entry, mut offset) = (0usize, 0usize);
    for_each_tensor(net, scaling, |role, index, values| {
        let e = HEADER_LEN + entry * ENTRY_LEN;
        buf[e] = role as u8;
        buf[e + 4..e + 8].copy_from_slice(&(index as u32).to_le_bytes());
        buf[e + 8..e + 12].copy_from_slice(&(offset as u32).to_le_bytes());
        buf[e + 12..e + 16].copy_from_slice(&(values.len() as u32).to_le_bytes());
        for (k, v) in values.iter().enumerate() {
            let at = start + offset + 4 * k;
            buf[at..at + 4].copy_from_slice(&v.to_le_bytes());
        }
        entry += 1;
        offset += padded(4 * values.len());
    });

    buf[..4].copy_from_slice(&MAGIC);
    buf[4..6].copy_from_slice(&VERSION.to_le_bytes());
    buf[8..12].copy_from_slice(&N::FINGERPRINT.to_le_bytes());
    buf[12..16].copy_from_slice(&(count as u32).to_le_bytes());
    buf[16..20].copy_from_slice(&(offset as u32).to_le_bytes());
    let crc = crc32(&buf[HEADER_LEN..]);
    buf[20..24].copy_from_slice(&crc.to_le_bytes());
    Ok(total)
}
