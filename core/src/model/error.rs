//! Errors of reading and writing model files.

use super::MetadataError;
use core::fmt;

/// Why a model file was refused. Nothing is loaded when any of these is returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum LoadError {
    /// Shorter than the 32-byte header.
    TruncatedHeader,
    /// The first four bytes are not `TGAN`.
    BadMagic,
    /// A format version this reader does not know.
    UnsupportedVersion(u16),
    /// Flags or reserved header bytes are not zero.
    NonZeroFlags,
    /// The file ends inside the tensor table.
    TruncatedTable,
    /// The file ends inside the data section.
    TruncatedData,
    /// Bytes follow the data section.
    TrailingBytes,
    /// The CRC-32 does not match the contents.
    BadChecksum,
    /// Table entry `n` has an unknown role or type, a role and type or index the file's
    /// version does not allow, non-zero reserved bits, a misaligned offset or a tensor
    /// outside the data section, repeats the role and index of an earlier entry, or is one
    /// half of the map to data units without the other (or of another length).
    BadEntry(u32),
    /// The metadata text breaks the rule of [`super::Metadata`].
    BadMetadata(MetadataError),
    /// The tensors do not tile the data section in table order (a gap or an overlap), or
    /// a padding byte is not zero.
    Layout,
    /// The file was written for another network.
    WrongArchitecture {
        /// Fingerprint of the network being loaded.
        expected: u32,
        /// Fingerprint in the file.
        found: u32,
    },
    /// The number of parameter and buffer tensors differs from the network's.
    TensorCount {
        /// Tensors the network has.
        expected: u32,
        /// Tensors the file has.
        found: u32,
    },
    /// Tensor `index` has the wrong number of elements.
    TensorLength {
        /// Index of the tensor.
        index: u32,
        /// Elements the network's tensor has.
        expected: u32,
        /// Elements the file's tensor has.
        found: u32,
    },
    /// Tensor `n` of the network is not in the file.
    MissingTensor(u32),
    /// An int8 file has no layers, or its layer descriptors are not numbered 0, 1, ...
    NoLayers,
    /// The descriptor of int8 layer `n` is invalid: an unknown kind or element type,
    /// a zero or inconsistent size, a size beyond the kernels' limits, an input length
    /// other than the previous layer's output length, or non-zero reserved words.
    BadLayer(u32),
    /// Int8 layer `layer` lacks the tensor of `role` its kind needs (weights, channel
    /// records, table), or the output map is missing (`layer` is the layer count).
    MissingInt8 {
        /// The layer (the layer count for the output map).
        layer: u32,
        /// What is missing.
        role: super::Role,
    },
    /// A quantisation parameter of int8 layer `layer` (`None`: of the output map) is out
    /// of range.
    QuantRange {
        /// The layer, or `None` for the output map.
        layer: Option<u32>,
        /// Which parameter.
        param: QuantParam,
    },
}

/// Which quantisation parameter [`LoadError::QuantRange`] refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum QuantParam {
    /// A multiplier (of a scale or a requantisation) below 2³⁰ (zero included): a scale of
    /// zero, or not in the normalised form `[2³⁰, 2³¹)`.
    Multiplier,
    /// A shift outside −31..=30.
    Shift,
    /// A zero point outside the int8 codes −128..=127.
    ZeroPoint,
    /// A clamp bound outside −128..=127, or a minimum above the maximum.
    Clamp,
    /// The layer's input scale or zero point differs from the previous layer's output
    /// (or a ReLU or pixel shuffle changes the map, which they cannot).
    Chain,
    /// A weight code outside the symmetric range `−(2^(b−1) − 1) ..= 2^(b−1) − 1` of its
    /// `b`-bit type (−128 for `i8`, −32768 for `i16`).
    Weight,
}

impl fmt::Display for QuantParam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Multiplier => "a multiplier is below 2^30 (a zero scale, or not normalised)",
            Self::Shift => "a shift is outside -31..=30",
            Self::ZeroPoint => "a zero point is outside the int8 range -128..=127",
            Self::Clamp => {
                "the output clamp is outside -128..=127 or its minimum is above its maximum"
            }
            Self::Chain => "its input map differs from the previous layer's output map",
            Self::Weight => {
                "a weight code is outside the symmetric range (-127..=127 for 8 bits, \
                 -32767..=32767 for 16)"
            }
        })
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::TruncatedHeader => write!(f, "file is shorter than the 32-byte header"),
            Self::BadMagic => write!(f, "not a tinygan model file (magic is not TGAN)"),
            Self::UnsupportedVersion(v) => {
                write!(
                    f,
                    "format version {v} is not supported (this reader knows {} to {})",
                    super::OLDEST_VERSION,
                    super::VERSION
                )
            }
            Self::NonZeroFlags => write!(f, "header flags or reserved bytes are not zero"),
            Self::TruncatedTable => write!(f, "file ends inside the tensor table"),
            Self::TruncatedData => write!(f, "file ends inside the tensor data"),
            Self::TrailingBytes => write!(f, "unexpected bytes after the tensor data"),
            Self::BadChecksum => write!(f, "CRC-32 mismatch: the file is corrupt"),
            Self::BadEntry(n) => write!(f, "tensor table entry {n} is invalid"),
            Self::BadMetadata(e) => write!(f, "{e}"),
            Self::Layout => write!(
                f,
                "the tensors do not tile the data in table order, or padding is not zero: the file is corrupt"
            ),
            Self::WrongArchitecture { expected, found } => write!(
                f,
                "file is for another architecture (fingerprint {found:#010x}, expected {expected:#010x})"
            ),
            Self::TensorCount { expected, found } => {
                write!(f, "file has {found} tensors, the network has {expected}")
            }
            Self::TensorLength {
                index,
                expected,
                found,
            } => write!(
                f,
                "tensor {index} has {found} elements, the network expects {expected}"
            ),
            Self::MissingTensor(n) => write!(f, "tensor {n} is missing from the file"),
            Self::NoLayers => write!(
                f,
                "int8 file: the layers are missing or not numbered 0, 1, ..."
            ),
            Self::BadLayer(n) => write!(f, "int8 layer {n}: its descriptor is invalid"),
            Self::MissingInt8 { layer, role } => {
                write!(f, "int8 layer {layer}: its {role:?} tensor is missing")
            }
            Self::QuantRange {
                layer: Some(n),
                param,
            } => {
                write!(f, "int8 layer {n}: {param}")
            }
            Self::QuantRange { layer: None, param } => write!(f, "int8 output map: {param}"),
        }
    }
}

impl core::error::Error for LoadError {}

/// Why a model could not be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum WriteError {
    /// The output buffer is smaller than [`super::encoded_len`]; `needed` bytes are required.
    BufferTooSmall {
        /// Bytes required.
        needed: u32,
    },
    /// The output scaling's offset and scale have different lengths.
    ScalingMismatch,
    /// The metadata pairs break the rule of [`super::Metadata`].
    BadMetadata(MetadataError),
    /// An int8 layer or output map a reader would refuse ([`super::int8::Int8Model::parse`]
    /// says why); nothing is written.
    BadInt8(LoadError),
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::BufferTooSmall { needed } => {
                write!(f, "output buffer too small: {needed} bytes needed")
            }
            Self::ScalingMismatch => write!(f, "output offset and scale differ in length"),
            Self::BadMetadata(e) => write!(f, "{e}"),
            Self::BadInt8(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for WriteError {}
