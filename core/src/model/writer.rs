//! Writing a network into a model file, into a caller-provided buffer (no heap), so that
//! a device can send a fine-tuned model back as readily as the host writes one.

use super::metadata::{text_len, write_text};
use super::{ALIGN, ENTRY_LEN, Fingerprint, HEADER_LEN, MAGIC, Role, VERSION, WriteError};
use super::{DType, crc32, data_start};
use crate::params::Params;

/// What a file holds besides the network: the optional output-to-data-units map
/// `scaling = (offset, scale)` and the metadata `(key, value)` pairs (see
/// [`super::Metadata`]; none: no metadata entry).
#[derive(Clone, Copy, Debug, Default)]
pub struct Extras<'a> {
    /// `(offset, scale)` of `data = offset + scale · y`, per output element.
    pub scaling: Option<(&'a [f32], &'a [f32])>,
    /// Metadata pairs, written in this order.
    pub metadata: &'a [(&'a str, &'a str)],
}

/// The tensors of a file in table order: `(role, index, values)`.
fn for_each_tensor<'a, N: Params>(
    net: &'a N,
    extras: &Extras<'a>,
    mut f: impl FnMut(Role, usize, &'a [f32]),
) {
    for i in 0..N::TENSORS {
        f(Role::Param, i, net.tensor(i));
    }
    for i in 0..N::BUFFERS {
        f(Role::Buffer, i, net.buffer(i));
    }
    if let Some((offset, scale)) = extras.scaling {
        f(Role::OutputOffset, 0, offset);
        f(Role::OutputScale, 0, scale);
    }
}

fn padded(bytes: usize) -> usize {
    bytes.div_ceil(ALIGN) * ALIGN
}

/// Table entries and data bytes of the file: the tensors, then the metadata entry if
/// there are pairs.
fn sizes<N: Params>(net: &N, extras: &Extras<'_>) -> (usize, usize) {
    let (mut count, mut data) = (0, 0);
    for_each_tensor(net, extras, |_, _, t| {
        count += 1;
        data += padded(4 * t.len());
    });
    if !extras.metadata.is_empty() {
        count += 1;
        data += padded(text_len(extras.metadata));
    }
    (count, data)
}

/// Size in bytes of the file [`write()`] produces for `net` and `extras`.
pub fn encoded_len<N: Params>(net: &N, extras: &Extras<'_>) -> usize {
    let (count, data) = sizes(net, extras);
    data_start(count) + data
}

/// Writes table entry `entry`.
fn put_entry(
    buf: &mut [u8],
    entry: usize,
    role: Role,
    dtype: DType,
    index: usize,
    offset: usize,
    len: usize,
) {
    let e = HEADER_LEN + entry * ENTRY_LEN;
    buf[e] = role as u8;
    buf[e + 1] = dtype as u8;
    buf[e + 4..e + 8].copy_from_slice(&(index as u32).to_le_bytes());
    buf[e + 8..e + 12].copy_from_slice(&(offset as u32).to_le_bytes());
    buf[e + 12..e + 16].copy_from_slice(&(len as u32).to_le_bytes());
}

/// Writes `net` (every parameter and buffer) and `extras` into `buf` as a file of format
/// [`VERSION`]; returns the number of bytes written.
pub fn write<N: Params + Fingerprint>(
    net: &N,
    extras: &Extras<'_>,
    buf: &mut [u8],
) -> Result<usize, WriteError> {
    if extras.scaling.is_some_and(|(o, s)| o.len() != s.len()) {
        return Err(WriteError::ScalingMismatch);
    }
    let total = encoded_len(net, extras);
    if buf.len() < total {
        return Err(WriteError::BufferTooSmall {
            needed: total as u32,
        });
    }
    let buf = &mut buf[..total];
    buf.fill(0);
    let (count, _) = sizes(net, extras);
    let start = data_start(count);

    let (mut entry, mut offset) = (0usize, 0usize);
    for_each_tensor(net, extras, |role, index, values| {
        put_entry(buf, entry, role, DType::F32, index, offset, values.len());
        for (k, v) in values.iter().enumerate() {
            let at = start + offset + 4 * k;
            buf[at..at + 4].copy_from_slice(&v.to_le_bytes());
        }
        entry += 1;
        offset += padded(4 * values.len());
    });
    if !extras.metadata.is_empty() {
        let len = text_len(extras.metadata);
        put_entry(buf, entry, Role::Metadata, DType::Text, 0, offset, len);
        write_text(
            extras.metadata,
            &mut buf[start + offset..start + offset + len],
        )
        .map_err(WriteError::BadMetadata)?;
        offset += padded(len);
    }

    buf[..4].copy_from_slice(&MAGIC);
    buf[4..6].copy_from_slice(&VERSION.to_le_bytes());
    buf[8..12].copy_from_slice(&N::FINGERPRINT.to_le_bytes());
    buf[12..16].copy_from_slice(&(count as u32).to_le_bytes());
    buf[16..20].copy_from_slice(&(offset as u32).to_le_bytes());
    let crc = crc32(&buf[HEADER_LEN..]);
    buf[20..24].copy_from_slice(&crc.to_le_bytes());
    Ok(total)
}
