//! Writing a network into a model file, into a caller-provided buffer (no heap), so that
//! a device can send a fine-tuned model back as readily as the host writes one: an f32
//! network as format [`F32_VERSION`] ([`write()`]), an int8 one as format [`VERSION`]
//! ([`write_int8`]). Both lay out their tensors through one [`Sink`], measured first and
//! then written.

use super::LoadError;
use super::int8::{self, Int8Model, Layer};
use super::metadata::{text_len, write_text};
use super::{ALIGN, ENTRY_LEN, F32_VERSION, Fingerprint, HEADER_LEN, MAGIC, Role, VERSION};
use super::{DType, WriteError, crc32, data_start};
use crate::params::Params;
use crate::quant::{ChannelBytes, Weights};

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

fn padded(bytes: usize) -> usize {
    bytes.div_ceil(ALIGN) * ALIGN
}

/// Where the tensors of a file go, in table order: counted only (`buf` is `None`), or
/// written as table entries and data.
struct Sink<'b> {
    buf: Option<&'b mut [u8]>,
    /// Offset of the data section in `buf`.
    start: usize,
    /// Entries so far.
    entries: usize,
    /// Data bytes so far.
    offset: usize,
}

impl Sink<'_> {
    /// The entry `(role, dtype, index)` of `len` elements whose bytes `fill` writes.
    fn put(
        &mut self,
        role: Role,
        dtype: DType,
        index: usize,
        len: usize,
        fill: impl FnOnce(&mut [u8]) -> Result<(), WriteError>,
    ) -> Result<(), WriteError> {
        let bytes = len * dtype.size();
        if let Some(buf) = self.buf.as_deref_mut() {
            let e = HEADER_LEN + self.entries * ENTRY_LEN;
            buf[e] = role as u8;
            buf[e + 1] = dtype as u8;
            for (at, v) in [(4, index), (8, self.offset), (12, len)] {
                buf[e + at..e + at + 4].copy_from_slice(&(v as u32).to_le_bytes());
            }
            let at = self.start + self.offset;
            fill(&mut buf[at..at + bytes])?;
        }
        self.entries += 1;
        self.offset += padded(bytes);
        Ok(())
    }

    /// An entry whose bytes are `chunks`.
    fn chunks<const N: usize>(
        &mut self,
        role: Role,
        dtype: DType,
        index: usize,
        words: &[[u8; N]],
    ) -> Result<(), WriteError> {
        self.put(role, dtype, index, words.len() * N / dtype.size(), |d| {
            d.copy_from_slice(words.as_flattened());
            Ok(())
        })
    }

    /// The output scaling and the metadata of `extras`, the last entries of every file.
    fn extras(&mut self, extras: &Extras<'_>) -> Result<(), WriteError> {
        if let Some((offset, scale)) = extras.scaling {
            for (role, values) in [(Role::OutputOffset, offset), (Role::OutputScale, scale)] {
                let bytes = values.iter().map(|v| v.to_le_bytes());
                self.put(role, DType::F32, 0, values.len(), |d| {
                    d.chunks_exact_mut(4)
                        .zip(bytes)
                        .for_each(|(d, b)| d.copy_from_slice(&b));
                    Ok(())
                })?;
            }
        }
        if !extras.metadata.is_empty() {
            let len = text_len(extras.metadata);
            self.put(Role::Metadata, DType::Text, 0, len, |d| {
                write_text(extras.metadata, d).map_err(WriteError::BadMetadata)
            })?;
        }
        Ok(())
    }
}

/// `(entries, data bytes)` of the file `contents` lays out.
fn measure(contents: impl Fn(&mut Sink<'_>) -> Result<(), WriteError>) -> (usize, usize) {
    let mut sink = Sink {
        buf: None,
        start: 0,
        entries: 0,
        offset: 0,
    };
    // Counting calls no `fill`, so it cannot fail.
    let _ = contents(&mut sink);
    (sink.entries, sink.offset)
}

/// Writes the file `contents` lays out, with `version` and `fingerprint`, into `buf`;
/// returns its length.
fn emit(
    version: u16,
    fingerprint: u32,
    buf: &mut [u8],
    contents: impl Fn(&mut Sink<'_>) -> Result<(), WriteError>,
) -> Result<usize, WriteError> {
    let (count, data) = measure(&contents);
    let start = data_start(count);
    let total = start + data;
    if buf.len() < total {
        return Err(WriteError::BufferTooSmall {
            needed: total as u32,
        });
    }
    let buf = &mut buf[..total];
    buf.fill(0);
    contents(&mut Sink {
        buf: Some(&mut *buf),
        start,
        entries: 0,
        offset: 0,
    })?;
    buf[..4].copy_from_slice(&MAGIC);
    buf[4..6].copy_from_slice(&version.to_le_bytes());
    buf[8..12].copy_from_slice(&fingerprint.to_le_bytes());
    buf[12..16].copy_from_slice(&(count as u32).to_le_bytes());
    buf[16..20].copy_from_slice(&(data as u32).to_le_bytes());
    let crc = crc32(&buf[HEADER_LEN..]);
    buf[20..24].copy_from_slice(&crc.to_le_bytes());
    Ok(total)
}

/// Every parameter and buffer of `net`, then `extras`.
fn f32_contents<N: Params>(
    net: &N,
    extras: &Extras<'_>,
    sink: &mut Sink<'_>,
) -> Result<(), WriteError> {
    let tensors = (0..N::TENSORS).map(|i| (Role::Param, i, net.tensor(i)));
    let buffers = (0..N::BUFFERS).map(|i| (Role::Buffer, i, net.buffer(i)));
    for (role, index, values) in tensors.chain(buffers) {
        sink.put(role, DType::F32, index, values.len(), |d| {
            for (d, v) in d.chunks_exact_mut(4).zip(values) {
                d.copy_from_slice(&v.to_le_bytes());
            }
            Ok(())
        })?;
    }
    sink.extras(extras)
}

/// Size in bytes of the file [`write()`] produces for `net` and `extras`.
pub fn encoded_len<N: Params>(net: &N, extras: &Extras<'_>) -> usize {
    let (count, data) = measure(|s| f32_contents(net, extras, s));
    data_start(count) + data
}

/// Writes `net` (every parameter and buffer) and `extras` into `buf` as a file of format
/// [`F32_VERSION`]; returns the number of bytes written.
pub fn write<N: Params + Fingerprint>(
    net: &N,
    extras: &Extras<'_>,
    buf: &mut [u8],
) -> Result<usize, WriteError> {
    if extras.scaling.is_some_and(|(o, s)| o.len() != s.len()) {
        return Err(WriteError::ScalingMismatch);
    }
    emit(F32_VERSION, N::FINGERPRINT, buf, |s| {
        f32_contents(net, extras, s)
    })
}

/// Per layer its descriptor, weights, channel records and table; the output map; then
/// `extras`.
fn int8_contents(
    layers: &[Layer<'_>],
    output_map: &[ChannelBytes],
    extras: &Extras<'_>,
    sink: &mut Sink<'_>,
) -> Result<(), WriteError> {
    for (k, l) in layers.iter().enumerate() {
        let descriptor = l.descriptor().map(i32::to_le_bytes);
        sink.chunks(Role::Int8Layer, DType::I32, k, &descriptor)?;
        if !l.weights.is_empty() {
            let dtype = match l.weights {
                Weights::I8(_) => DType::I8,
                Weights::I16(_) => DType::I16,
            };
            if l.weights.bytes().len() != l.weights.len() * dtype.size() {
                // An odd number of bytes of 16-bit codes.
                return Err(WriteError::BadInt8(LoadError::BadLayer(k as u32)));
            }
            sink.put(Role::Int8Weights, dtype, k, l.weights.len(), |d| {
                d.copy_from_slice(l.weights.bytes());
                Ok(())
            })?;
        }
        if !l.channels.is_empty() {
            sink.chunks(Role::Int8Channels, DType::I32, k, l.channels)?;
        }
        if let Some(t) = l.table {
            sink.chunks(Role::Int8Table, DType::I8, k, &[*t])?;
        }
    }
    sink.chunks(Role::Int8OutputMap, DType::I32, 0, output_map)?;
    sink.extras(extras)
}

/// Size in bytes of the file [`write_int8`] produces.
pub fn encoded_len_int8(
    layers: &[Layer<'_>],
    output_map: &[ChannelBytes],
    extras: &Extras<'_>,
) -> usize {
    let (count, data) = measure(|s| int8_contents(layers, output_map, extras, s));
    data_start(count) + data
}

/// Writes the int8 network of `layers` (in order; layer 0's input is the quantised `z`)
/// with the map to data units `output_map` and `extras` into `buf` as a file of format
/// [`VERSION`]; returns the number of bytes written. The written file is parsed as a
/// reader would: a network the reader would refuse is [`WriteError::BadInt8`] (and `buf`
/// holds no valid file).
pub fn write_int8(
    layers: &[Layer<'_>],
    output_map: &[ChannelBytes],
    extras: &Extras<'_>,
    buf: &mut [u8],
) -> Result<usize, WriteError> {
    if extras.scaling.is_some_and(|(o, s)| o.len() != s.len()) {
        return Err(WriteError::ScalingMismatch);
    }
    let fingerprint = int8::fingerprint(layers.iter().map(|l| l.kind));
    let n = emit(VERSION, fingerprint, buf, |s| {
        int8_contents(layers, output_map, extras, s)
    })?;
    if let Err(e) = Int8Model::parse(&buf[..n]) {
        buf[..HEADER_LEN].fill(0);
        return Err(WriteError::BadInt8(e));
    }
    Ok(n)
}
