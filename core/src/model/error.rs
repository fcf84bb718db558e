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
    /// outside the data section, or is a second metadata entry.
    BadEntry(u32),
    /// The metadata text breaks the rule of [`super::Metadata`].
    BadMetadata(MetadataError),
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
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::BufferTooSmall { needed } => {
                write!(f, "output buffer too small: {needed} bytes needed")
            }
            Self::ScalingMismatch => write!(f, "output offset and scale differ in length"),
            Self::BadMetadata(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for WriteError {}
