//! The model file (`.tgan`): a versioned, checksummed container of a network's tensors and
//! of a short metadata text that says what the network is and what it was trained on.
//!
//! Layout, all little-endian:
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | 4 | magic `TGAN` |
//! | 4 | 2 | format version ([`F32_VERSION`] for an f32 network, [`VERSION`] for an int8 one; version 1 is read too) |
//! | 6 | 2 | flags, must be zero |
//! | 8 | 4 | architecture fingerprint ([`Fingerprint`]; of an int8 network: [`int8::fingerprint`]) |
//! | 12 | 4 | table entry count `n` |
//! | 16 | 4 | data length in bytes |
//! | 20 | 4 | CRC-32 of everything after the header (table, padding, data) |
//! | 24 | 8 | reserved, must be zero |
//! | 32 | 16·n | table: role u8, dtype u8, reserved u16 (zero), index u32, byte offset u32 (into data, 16-aligned), element count u32 |
//! | 32+16n, rounded up to 16 | data length | tensor data and metadata text, each padded to 16 bytes |
//!
//! Table entries ([`Role`], [`DType`]; any other pair is an invalid entry, and no role and
//! index appear twice):
//!
//! | role | dtype | element | what | versions |
//! |---|---|---|---|---|
//! | 0 `Param` | 0 `F32` | 4 bytes | trainable tensor `index` of [`Params`] | 1, 2 |
//! | 1 `Buffer` | 0 `F32` | 4 bytes | persisted buffer `index` (running statistics) | 1, 2 |
//! | 2 `OutputOffset`, 3 `OutputScale` | 0 `F32` | 4 bytes | map to data units, index 0, both or neither, of one length | 1, 2, 3 |
//! | 4 `Metadata` | 1 `Text` | 1 byte | the [`Metadata`] text, index 0, at most one entry | 2, 3 |
//! | 5 `Int8Layer` | 3 `I32` | 4 bytes | int8 layer `index`: its descriptor ([`int8::DESCRIPTOR_WORDS`] words: kind, element type, input and output scale as multiplier and shift, zero points, clamp, shape) | 3 |
//! | 6 `Int8Weights` | 2 `I8` or 4 `I16` | 1 or 2 bytes | weight codes of layer `index`, in the f32 layer's layout (`I16`: 16-bit weights, [`crate::quant::weights`]) | 3 |
//! | 7 `Int8Channels` | 3 `I32` | 4 bytes | per output channel records of layer `index` (bias, multiplier, shift: [`crate::quant::ChannelBytes`]) | 3 |
//! | 8 `Int8Table` | 2 `I8` | 1 byte | the 256-entry tanh or sigmoid table of layer `index` | 3 |
//! | 9 `Int8OutputMap` | 3 `I32` | 4 bytes | the fixed-point map to data units (records as channels; [`crate::quant::output`]), index 0 | 3 |
//!
//! Version 2 adds the metadata entry; a version-1 file has none and reads as empty
//! metadata. Version 3 is the int8 network ([`int8::Int8Model`]): the int8 roles, with the
//! f32 map to data units and the metadata kept, and no f32 parameters; an f32 network is
//! still written as version 2. The element size comes from the dtype ([`DType::size`]);
//! `I16` (16-bit codes) is taken by the weights of a layer with 16-bit weights, which a
//! version-3 reader of before could not load (it refused the entry) and which changes
//! nothing in a file without them, so the version stays 3.
//!
//! [`ModelFile::parse`] validates every field, every table entry, the metadata text, the
//! layout (the tensors tile the data in table order, every padding byte zero) and the
//! checksum before anything is read out of the file; [`ModelFile::load_into`] then
//! checks that the file matches the network exactly (fingerprint, tensor count and
//! lengths) before it copies. [`int8::Int8Model::parse`] validates an int8 file's layers,
//! their tensors and every quantisation parameter, and then hands out the layers' bytes in
//! place.

mod crc32;
mod embedded;
mod error;
mod fingerprint;
pub mod int8;
mod metadata;
mod writer;

pub use crc32::{Crc32, crc32};
pub use embedded::Embedded;
pub use error::{LoadError, QuantParam, WriteError};
pub use fingerprint::{Fingerprint, chain, fnv1a, layer};
pub use metadata::{KEY_DATA, KEY_KIND, MAX_KEY, MAX_LEN, Metadata, MetadataError};
pub use writer::{Extras, encoded_len, encoded_len_int8, write, write_int8};

use crate::params::Params;

/// File magic.
pub const MAGIC: [u8; 4] = *b"TGAN";
/// The newest format version: the int8 network this code writes.
pub const VERSION: u16 = 3;
/// The format version of an f32 network this code writes.
pub const F32_VERSION: u16 = 2;
/// The oldest format version this code reads.
pub const OLDEST_VERSION: u16 = 1;
/// Header size in bytes.
pub const HEADER_LEN: usize = 32;
/// Tensor table entry size in bytes.
pub const ENTRY_LEN: usize = 16;
/// Alignment of the data section and of every tensor in it.
pub const ALIGN: usize = 16;

/// What a table entry holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Role {
    /// Trainable tensor `index` of [`Params`].
    Param = 0,
    /// Persisted buffer `index` of [`Params`] (running statistics).
    Buffer = 1,
    /// Offset of the map from model output to data units: `data = offset + scale · y`.
    OutputOffset = 2,
    /// Scale of the map from model output to data units.
    OutputScale = 3,
    /// The [`Metadata`] text (version 2 on).
    Metadata = 4,
    /// An int8 layer's descriptor (version 3).
    Int8Layer = 5,
    /// An int8 layer's weight codes (version 3).
    Int8Weights = 6,
    /// An int8 layer's per-channel records (version 3).
    Int8Channels = 7,
    /// An int8 layer's 256-entry table (version 3).
    Int8Table = 8,
    /// The int8 network's map to data units (version 3).
    Int8OutputMap = 9,
}

impl Role {
    /// The role of a table entry's first byte.
    const fn from_u8(b: u8) -> Option<Self> {
        Some(match b {
            0 => Self::Param,
            1 => Self::Buffer,
            2 => Self::OutputOffset,
            3 => Self::OutputScale,
            4 => Self::Metadata,
            5 => Self::Int8Layer,
            6 => Self::Int8Weights,
            7 => Self::Int8Channels,
            8 => Self::Int8Table,
            9 => Self::Int8OutputMap,
            _ => return None,
        })
    }
}

/// Element type of a tensor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum DType {
    /// IEEE 754 binary32, little-endian.
    F32 = 0,
    /// UTF-8 text, one byte per element (version 2 on).
    Text = 1,
    /// Two's complement 8-bit integer (version 3).
    I8 = 2,
    /// Two's complement 32-bit integer, little-endian (version 3).
    I32 = 3,
    /// Two's complement 16-bit integer, little-endian (version 3; 16-bit weight codes).
    I16 = 4,
}

impl DType {
    /// Bytes per element.
    pub const fn size(self) -> usize {
        match self {
            Self::F32 => 4,
            Self::Text | Self::I8 => 1,
            Self::I32 => 4,
            Self::I16 => 2,
        }
    }

    /// The element type of a table entry's second byte (or of a layer's element-type word).
    pub const fn from_u8(b: u8) -> Option<Self> {
        Some(match b {
            0 => Self::F32,
            1 => Self::Text,
            2 => Self::I8,
            3 => Self::I32,
            4 => Self::I16,
            _ => return None,
        })
    }
}

/// Whether format `version` allows an entry of `role` with `dtype` and `index`.
fn allowed(version: u16, role: Role, dtype: DType, index: u32) -> bool {
    match role {
        Role::Param | Role::Buffer => version <= 2 && dtype == DType::F32,
        Role::OutputOffset | Role::OutputScale => dtype == DType::F32 && index == 0,
        Role::Metadata => version >= 2 && dtype == DType::Text && index == 0,
        Role::Int8Layer | Role::Int8Channels => version >= 3 && dtype == DType::I32,
        Role::Int8Weights => version >= 3 && matches!(dtype, DType::I8 | DType::I16),
        Role::Int8Table => version >= 3 && dtype == DType::I8,
        Role::Int8OutputMap => version >= 3 && dtype == DType::I32 && index == 0,
    }
}

/// One validated table entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Entry {
    /// What the tensor is.
    pub role: Role,
    /// Element type.
    pub dtype: DType,
    /// Index within its role.
    pub index: u32,
    /// Byte offset into the data section.
    pub offset: u32,
    /// Number of elements.
    pub len: u32,
}

/// A validated model file borrowed from a byte buffer (flash or RAM).
#[derive(Clone, Copy, Debug)]
pub struct ModelFile<'a> {
    /// Format version of the file.
    pub version: u16,
    /// Architecture fingerprint recorded in the file.
    pub fingerprint: u32,
    table: &'a [u8],
    data: &'a [u8],
    metadata: Metadata<'a>,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// Offset of the data section for `tensors` table entries.
pub const fn data_start(tensors: usize) -> usize {
    (HEADER_LEN + ENTRY_LEN * tensors).div_ceil(ALIGN) * ALIGN
}

impl<'a> ModelFile<'a> {
    /// Validates `bytes` as a model file: header, table, alignment, bounds, metadata and
    /// checksum.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, LoadError> {
        if bytes.len() < HEADER_LEN {
            return Err(LoadError::TruncatedHeader);
        }
        if bytes[..4] != MAGIC {
            return Err(LoadError::BadMagic);
        }
        let version = u16_at(bytes, 4);
        if !(OLDEST_VERSION..=VERSION).contains(&version) {
            return Err(LoadError::UnsupportedVersion(version));
        }
        if u16_at(bytes, 6) != 0 || bytes[24..32].iter().any(|&b| b != 0) {
            return Err(LoadError::NonZeroFlags);
        }
        let count = u32_at(bytes, 12) as usize;
        let data_len = u32_at(bytes, 16) as usize;
        let start = count
            .checked_mul(ENTRY_LEN)
            .and_then(|t| t.checked_add(HEADER_LEN + ALIGN - 1))
            .map(|e| e / ALIGN * ALIGN)
            .ok_or(LoadError::TruncatedTable)?;
        if bytes.len() < start {
            return Err(LoadError::TruncatedTable);
        }
        let end = start
            .checked_add(data_len)
            .ok_or(LoadError::TruncatedData)?;
        if bytes.len() < end {
            return Err(LoadError::TruncatedData);
        }
        if bytes.len() > end {
            return Err(LoadError::TrailingBytes);
        }
        if crc32(&bytes[HEADER_LEN..]) != u32_at(bytes, 20) {
            return Err(LoadError::BadChecksum);
        }
        let mut file = Self {
            version,
            fingerprint: u32_at(bytes, 8),
            table: &bytes[HEADER_LEN..HEADER_LEN + count * ENTRY_LEN],
            data: &bytes[start..],
            metadata: Metadata::default(),
        };
        for i in 0..count {
            let e = file.entry(i)?;
            let first = (0..i).find(|&j| {
                file.entry(j)
                    .is_ok_and(|d| (d.role, d.index) == (e.role, e.index))
            });
            if first.is_some() {
                return Err(LoadError::BadEntry(i as u32));
            }
        }
        let offset = file.find(Role::OutputOffset, 0);
        let scale = file.find(Role::OutputScale, 0);
        if offset.map(|e| e.len) != scale.map(|e| e.len) {
            let scaling = |e: Entry| matches!(e.role, Role::OutputOffset | Role::OutputScale);
            let first = (0..count).find(|&i| file.entry(i).is_ok_and(scaling));
            return Err(LoadError::BadEntry(first.unwrap_or(0) as u32));
        }
        if let Some(e) = file.find(Role::Metadata, 0) {
            file.metadata = Metadata::parse(file.bytes(&e)).map_err(LoadError::BadMetadata)?;
        }
        file.check_layout()?;
        Ok(file)
    }

    /// Checks that the tensors tile the data section in table order, each padded with
    /// zeros to [`ALIGN`], as the writer lays a file out (the table, 16-byte entries
    /// after a 32-byte header, always ends where the data starts): no byte of a file goes
    /// unchecked.
    fn check_layout(&self) -> Result<(), LoadError> {
        let zero = |b: &[u8]| b.iter().all(|&x| x == 0);
        let mut end = 0;
        for i in 0..self.len() {
            let e = self.entry(i)?;
            let used = e.offset as usize + e.len as usize * e.dtype.size();
            let padded = used.div_ceil(ALIGN) * ALIGN;
            let pad = self.data.get(used..padded).ok_or(LoadError::Layout)?;
            if e.offset as usize != end || !zero(pad) {
                return Err(LoadError::Layout);
            }
            end = padded;
        }
        if end != self.data.len() {
            return Err(LoadError::Layout);
        }
        Ok(())
    }

    /// Number of table entries.
    pub fn len(&self) -> usize {
        self.table.len() / ENTRY_LEN
    }

    /// Whether the file holds no tensors.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    /// Table entry `i`, validated (role, dtype and index allowed by the version, reserved
    /// bits, alignment and bounds).
    pub fn entry(&self, i: usize) -> Result<Entry, LoadError> {
        let e = self
            .table
            .get(i * ENTRY_LEN..(i + 1) * ENTRY_LEN)
            .ok_or(LoadError::BadEntry(i as u32))?;
        let bad = LoadError::BadEntry(i as u32);
        let (Some(role), Some(dtype)) = (Role::from_u8(e[0]), DType::from_u8(e[1])) else {
            return Err(bad);
        };
        let (index, offset, len) = (u32_at(e, 4), u32_at(e, 8), u32_at(e, 12));
        if u16_at(e, 2) != 0 || !allowed(self.version, role, dtype, index) {
            return Err(bad);
        }
        let bytes = (len as usize).checked_mul(dtype.size()).ok_or(bad)?;
        let fits = (offset as usize)
            .checked_add(bytes)
            .is_some_and(|end| end <= self.data.len());
        if !(offset as usize).is_multiple_of(ALIGN) || !fits {
            return Err(bad);
        }
        Ok(Entry {
            role,
            dtype,
            index,
            offset,
            len,
        })
    }

    /// The entry with `role` and `index`, if the file has one.
    pub fn find(&self, role: Role, index: usize) -> Option<Entry> {
        (0..self.len())
            .filter_map(|i| self.entry(i).ok())
            .find(|e| e.role == role && e.index as usize == index)
    }

    /// The metadata text (empty for a version-1 file or a file without the entry).
    pub fn metadata(&self) -> Metadata<'a> {
        self.metadata
    }

    /// The bytes of entry `e` (bounds were validated by [`ModelFile::entry`]).
    fn bytes(&self, e: &Entry) -> &'a [u8] {
        let data: &'a [u8] = self.data;
        &data[e.offset as usize..e.offset as usize + e.len as usize * e.dtype.size()]
    }

    /// Element `k` of the `F32` tensor of entry `e` (bounds were validated by
    /// [`ModelFile::parse`]).
    pub fn value(&self, e: &Entry, k: usize) -> f32 {
        f32::from_le_bytes(u32_at(self.data, e.offset as usize + 4 * k).to_le_bytes())
    }

    /// Copies the file's tensors into `net` after checking that the file was written for
    /// exactly this architecture: fingerprint, every parameter and buffer present once with
    /// the right length. On error `net` is unchanged.
    pub fn load_into<N: Params + Fingerprint>(&self, net: &mut N) -> Result<(), LoadError> {
        self.check(net)?;
        for i in 0..N::TENSORS {
            self.copy(Role::Param, i, net.tensor_mut(i));
        }
        for i in 0..N::BUFFERS {
            self.copy(Role::Buffer, i, net.buffer_mut(i));
        }
        Ok(())
    }

    /// Checks that the file was written for exactly the architecture of `net`: fingerprint,
    /// every parameter and buffer present once with the right length. A network decoded
    /// with [`Embedded`] from a file that passes [`ModelFile::parse`] and this check holds
    /// exactly the file's values.
    pub fn check<N: Params + Fingerprint>(&self, net: &N) -> Result<(), LoadError> {
        if self.fingerprint != N::FINGERPRINT {
            return Err(LoadError::WrongArchitecture {
                expected: N::FINGERPRINT,
                found: self.fingerprint,
            });
        }
        let expected = N::TENSORS + N::BUFFERS;
        let stored = (0..self.len())
            .filter(
                |&i| matches!(self.entry(i), Ok(e) if matches!(e.role, Role::Param | Role::Buffer)),
            )
            .count();
        if stored != expected {
            return Err(LoadError::TensorCount {
                expected: expected as u32,
                found: stored as u32,
            });
        }
        for i in 0..N::TENSORS {
            self.check_len(Role::Param, i, net.tensor(i).len())?;
        }
        for i in 0..N::BUFFERS {
            self.check_len(Role::Buffer, i, net.buffer(i).len())?;
        }
        Ok(())
    }

    /// The output-to-data-units map `(offset, scale)` entries, if the file has them.
    pub fn output_scaling(&self) -> Option<(Entry, Entry)> {
        Some((
            self.find(Role::OutputOffset, 0)?,
            self.find(Role::OutputScale, 0)?,
        ))
    }

    fn check_len(&self, role: Role, index: usize, len: usize) -> Result<(), LoadError> {
        match self.find(role, index) {
            Some(e) if e.len as usize == len => Ok(()),
            Some(e) => Err(LoadError::TensorLength {
                index: index as u32,
                expected: len as u32,
                found: e.len,
            }),
            None => Err(LoadError::MissingTensor(index as u32)),
        }
    }

    fn copy(&self, role: Role, index: usize, dst: &mut [f32]) {
        if let Some(e) = self.find(role, index) {
            for (k, d) in dst.iter_mut().enumerate() {
                *d = self.value(&e, k);
            }
        }
    }
}

#[cfg(test)]
mod golden;
#[cfg(test)]
mod golden_int8;
#[cfg(test)]
mod mutation;
#[cfg(test)]
mod tests;
