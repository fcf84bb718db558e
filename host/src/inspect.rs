//! `tinygan inspect`: what a model file holds, as the model reader sees it.
//!
//! The file is validated by the reader first ([`check`]: [`ModelFile::parse`], and for
//! an int8 file [`Int8Model::parse`]); a file it refuses is an error with the reader's own
//! reason. A valid file is described by a [`Report`]: the header (layout in
//! `core/src/model/mod.rs`), the metadata pairs, the tensor table, the f32 map to data
//! units and, for an int8 file, every layer with its shape, its input and output maps
//! (`real = s · (q − z)`, the scale `s = multiplier · 2^(shift − 31)`), its clamp and its
//! per-channel records (bias and requantisation `M_c = multiplier · 2^(shift − 31)`).
//! [`Report`] is printed for people ([`fmt::Display`]) or as JSON (`--json`).

use anyhow::{Result, anyhow};
use serde::Serialize;
use std::fmt;
use std::path::Path;
use tinygan_core::model::int8::{Int8Model, Kind, Layer};
use tinygan_core::model::{ALIGN, DType, Entry, LoadError, ModelFile, Role};
use tinygan_core::quant::{Channel, ChannelBytes, Requant};

/// Validates `bytes` as the reader does before anything is used: the container and, for
/// an int8 file (format version 3), its network.
pub fn check(bytes: &[u8]) -> Result<ModelFile<'_>, LoadError> {
    let file = ModelFile::parse(bytes)?;
    if file.version >= tinygan_core::model::VERSION {
        Int8Model::parse(bytes)?;
    }
    Ok(file)
}

/// The bytes of the file at `path`; the error names it.
fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| anyhow!("cannot read model {}: {e}", path.display()))
}

/// The reader's error `e` about the file at `path`.
fn refused(path: &Path, e: LoadError) -> anyhow::Error {
    anyhow!("{}: {e}", path.display())
}

/// Reads the file at `path` and validates it ([`check`]); errors name the file.
pub fn read_checked(path: &Path) -> Result<Vec<u8>> {
    let bytes = read(path)?;
    check(&bytes).map_err(|e| refused(path, e))?;
    Ok(bytes)
}

/// [`inspect`] of the file at `path`; errors name the file.
pub fn open(path: &Path) -> Result<Report> {
    inspect(&read(path)?).map_err(|e| refused(path, e))
}

/// A scale or requantisation multiplier: `real = multiplier · 2^(shift − 31)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Scale {
    /// The real number it stands for.
    pub real: f64,
    /// Q0.31 mantissa.
    pub multiplier: i32,
    /// Power of two.
    pub shift: i32,
}

impl From<Requant> for Scale {
    fn from(r: Requant) -> Self {
        Self {
            real: r.real(),
            multiplier: r.multiplier,
            shift: r.shift,
        }
    }
}

/// One per-channel record: `q_y = z_y + M · (bias + acc)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Record {
    /// Added to the accumulator.
    pub bias: i32,
    /// `M`, the requantisation.
    pub requant: Scale,
}

fn records(stored: &[ChannelBytes]) -> Vec<Record> {
    stored
        .iter()
        .map(|b| {
            let c = Channel::from_le_bytes(b);
            Record {
                bias: c.bias,
                requant: c.requant.into(),
            }
        })
        .collect()
}

/// One table entry.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TableEntry {
    /// What it holds (`Param`, `Int8Weights`, ...).
    pub role: String,
    /// Index within its role (the layer of an int8 entry).
    pub index: u32,
    /// Element type: `f32`, `text`, `i8`, `i16` or `i32`.
    pub dtype: String,
    /// Elements.
    pub elements: u32,
    /// Shape, where the file says it (int8 entries), else `[elements]`.
    pub shape: Vec<usize>,
    /// Byte offset of the first element in the file.
    pub offset: usize,
    /// Bytes, without padding.
    pub bytes: usize,
}

/// One int8 layer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayerReport {
    /// `dense`, `conv2d`, `conv-transpose2d`, `relu`, `leaky-relu`, `table`,
    /// `pixel-shuffle` or `pixel-unshuffle`.
    pub kind: &'static str,
    /// Input shape per sample (`[c, h, w]` or `[n]`).
    pub input: Vec<usize>,
    /// Output shape per sample.
    pub output: Vec<usize>,
    /// Kernel, stride and padding `[h, w]` of a (transposed) convolution.
    pub conv: Option<ConvReport>,
    /// Factor of a pixel (un)shuffle.
    pub factor: Option<usize>,
    /// Scale of the input codes.
    pub input_scale: Scale,
    /// Zero point of the input codes.
    pub input_zero: i8,
    /// Scale of the output codes.
    pub output_scale: Scale,
    /// Zero point of the output codes.
    pub output_zero: i8,
    /// Output clamp `[min, max]` in codes.
    pub clamp: [i32; 2],
    /// Weight codes.
    pub weights: usize,
    /// Bits of a weight code (8, or 16 for 16-bit weights); `None` for kinds without
    /// weights.
    pub weight_bits: Option<u32>,
    /// Per-channel records (of a leaky ReLU: the positive and the negative side).
    pub channels: Vec<Record>,
    /// Whether it has a 256-entry table.
    pub table: bool,
}

/// Kernel, stride and padding of a (transposed) convolution, each `[h, w]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct ConvReport {
    /// Kernel size.
    pub kernel: [usize; 2],
    /// Stride.
    pub stride: [usize; 2],
    /// Zero padding.
    pub padding: [usize; 2],
}

/// The int8 network of a version-3 file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Int8Report {
    /// The layers in order.
    pub layers: Vec<LayerReport>,
    /// Records of the fixed-point map of the last layer's codes to data units.
    pub output_map: Vec<Record>,
}

/// The f32 map of the output to data units: `data = offset + scale · y`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scaling {
    /// Offsets.
    pub offset: Vec<f32>,
    /// Scales.
    pub scale: Vec<f32>,
}

/// Everything `inspect` shows about a valid model file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// File size.
    pub bytes: usize,
    /// Format version.
    pub version: u16,
    /// Architecture fingerprint.
    pub fingerprint: u32,
    /// Table entries.
    pub tensors: usize,
    /// Byte offset of the data section.
    pub data_offset: usize,
    /// Bytes of the data section.
    pub data_len: usize,
    /// CRC-32 of everything after the header (checked).
    pub crc32: u32,
    /// Metadata `[key, value]` pairs in file order.
    pub metadata: Vec<[String; 2]>,
    /// The tensor table in file order.
    pub table: Vec<TableEntry>,
    /// The f32 map to data units, if the file has one.
    pub scaling: Option<Scaling>,
    /// The int8 network (format version 3).
    pub int8: Option<Int8Report>,
}

/// Name, input shape, output shape, convolution and factor of a layer kind.
type Shapes = (
    &'static str,
    Vec<usize>,
    Vec<usize>,
    Option<ConvReport>,
    Option<usize>,
);

fn shapes(kind: Kind) -> Shapes {
    match kind {
        Kind::Dense { inp, out } => ("dense", vec![inp], vec![out], None, None),
        Kind::Conv(s) | Kind::ConvTranspose(s) => {
            let conv = Some(ConvReport {
                kernel: [s.kh, s.kw],
                stride: [s.sh, s.sw],
                padding: [s.ph, s.pw],
            });
            let (x, y) = (vec![s.cin, s.h, s.w], vec![s.cout, s.oh, s.ow]);
            match kind {
                Kind::Conv(_) => ("conv2d", x, y, conv, None),
                _ => ("conv-transpose2d", y, x, conv, None),
            }
        }
        Kind::Relu { len } => ("relu", vec![len], vec![len], None, None),
        Kind::LeakyRelu { len } => ("leaky-relu", vec![len], vec![len], None, None),
        Kind::Lut { len } => ("table", vec![len], vec![len], None, None),
        Kind::Shuffle { co, h, w, r } | Kind::Unshuffle { co, h, w, r } => {
            let (low, high) = (vec![co * r * r, h, w], vec![co, h * r, w * r]);
            match kind {
                Kind::Shuffle { .. } => ("pixel-shuffle", low, high, None, Some(r)),
                _ => ("pixel-unshuffle", high, low, None, Some(r)),
            }
        }
    }
}

fn layer_report(l: &Layer<'_>) -> LayerReport {
    let (kind, input, output, conv, factor) = shapes(l.kind);
    LayerReport {
        kind,
        input,
        output,
        conv,
        factor,
        input_scale: l.input_scale.into(),
        input_zero: l.io.input_zero,
        output_scale: l.output_scale.into(),
        output_zero: l.io.output_zero,
        clamp: [l.io.min, l.io.max],
        weights: l.weights.len(),
        weight_bits: (!l.weights.is_empty()).then(|| l.weights.bits()),
        channels: records(l.channels),
        table: l.table.is_some(),
    }
}

/// The shape of entry `e`: int8 weights in the f32 layer's layout, records as
/// `[records, 3]`, anything else `[elements]`.
fn entry_shape(e: &Entry, model: Option<&Int8Model<'_>>) -> Vec<usize> {
    let len = e.len as usize;
    let layer = model.and_then(|m| m.layer(e.index as usize).ok());
    match (e.role, layer.map(|l| l.kind)) {
        (Role::Int8Weights, Some(Kind::Dense { inp, out })) => vec![out, inp],
        // PyTorch's layouts: [cout][cin][kh][kw] of the convolution, and the transposed
        // layer's [in = cout][out = cin][kh][kw].
        (Role::Int8Weights, Some(Kind::Conv(s) | Kind::ConvTranspose(s))) => {
            vec![s.cout, s.cin, s.kh, s.kw]
        }
        (Role::Int8Channels | Role::Int8OutputMap, _) => vec![len / 3, 3],
        _ => vec![len],
    }
}

fn dtype_name(d: DType) -> String {
    format!("{d:?}").to_lowercase()
}

/// Describes `bytes`, validated first ([`check`]).
pub fn inspect(bytes: &[u8]) -> Result<Report, LoadError> {
    let file = check(bytes)?;
    let model = if file.version >= tinygan_core::model::VERSION {
        Some(Int8Model::parse(bytes)?)
    } else {
        None
    };
    let data_offset = tinygan_core::model::data_start(file.len());
    let mut table = Vec::with_capacity(file.len());
    for i in 0..file.len() {
        let e = file.entry(i)?;
        table.push(TableEntry {
            role: format!("{:?}", e.role),
            index: e.index,
            dtype: dtype_name(e.dtype),
            elements: e.len,
            shape: entry_shape(&e, model.as_ref()),
            offset: data_offset + e.offset as usize,
            bytes: e.len as usize * e.dtype.size(),
        });
    }
    let scaling = file.output_scaling().map(|(o, s)| Scaling {
        offset: (0..o.len as usize).map(|k| file.value(&o, k)).collect(),
        scale: (0..s.len as usize).map(|k| file.value(&s, k)).collect(),
    });
    let int8 = match &model {
        Some(m) => Some(Int8Report {
            layers: (0..m.len())
                .map(|k| m.layer(k).map(|l| layer_report(&l)))
                .collect::<Result<_, _>>()?,
            output_map: records(m.output_map()),
        }),
        None => None,
    };
    Ok(Report {
        bytes: bytes.len(),
        version: file.version,
        fingerprint: file.fingerprint,
        tensors: file.len(),
        data_offset,
        data_len: bytes.len() - data_offset,
        // Header bytes 20..24 (checked by the reader).
        crc32: u32::from_le_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]),
        metadata: file
            .metadata()
            .iter()
            .map(|(k, v)| [k.to_owned(), v.to_owned()])
            .collect(),
        table,
        scaling,
        int8,
    })
}

/// `a x b x c`.
fn dims(d: &[usize]) -> String {
    d.iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join("x")
}

/// `s @ z`: a scale and zero point.
fn map(s: &Scale, z: i8) -> String {
    format!("{:.6e} @ {z}", s.real)
}

/// Records listed one by one when there are few, else their ranges.
fn summary(r: &[Record]) -> String {
    if r.len() <= 4 {
        let each: Vec<_> = r
            .iter()
            .map(|r| format!("bias {} M {:.6e}", r.bias, r.requant.real))
            .collect();
        return each.join("; ");
    }
    let range = |f: fn(&Record) -> f64| {
        let lo = r.iter().map(f).fold(f64::INFINITY, f64::min);
        let hi = r.iter().map(f).fold(f64::NEG_INFINITY, f64::max);
        (lo, hi)
    };
    let (blo, bhi) = range(|r| r.bias as f64);
    let (mlo, mhi) = range(|r| r.requant.real);
    format!("bias {blo}..{bhi}, M {mlo:.6e}..{mhi:.6e}")
}

fn version_note(v: u16) -> &'static str {
    match v {
        1 => "f32 network, no metadata",
        2 => "f32 network",
        _ => "int8 network",
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "header ({} bytes in all)", self.bytes)?;
        writeln!(f, "  magic        TGAN")?;
        writeln!(
            f,
            "  version      {} ({})",
            self.version,
            version_note(self.version)
        )?;
        writeln!(f, "  flags        0")?;
        writeln!(f, "  fingerprint  {:#010x}", self.fingerprint)?;
        writeln!(f, "  tensors      {}", self.tensors)?;
        writeln!(
            f,
            "  data         {} bytes at offset {} ({ALIGN}-aligned)",
            self.data_len, self.data_offset
        )?;
        writeln!(f, "  crc-32       {:#010x} (ok)", self.crc32)?;
        writeln!(f, "metadata")?;
        if self.metadata.is_empty() {
            writeln!(f, "  (none)")?;
        }
        for [k, v] in &self.metadata {
            writeln!(f, "  {k} = {v}")?;
        }
        writeln!(f, "tensor table")?;
        writeln!(
            f,
            "  {:>3}  {:<14} {:>5}  {:<5} {:>9}  {:<12} {:>8} {:>8}",
            "#", "role", "index", "dtype", "elements", "shape", "offset", "bytes"
        )?;
        for (i, e) in self.table.iter().enumerate() {
            writeln!(
                f,
                "  {i:>3}  {:<14} {:>5}  {:<5} {:>9}  {:<12} {:>8} {:>8}",
                e.role,
                e.index,
                e.dtype,
                e.elements,
                dims(&e.shape),
                e.offset,
                e.bytes
            )?;
        }
        if let Some(sc) = &self.scaling {
            writeln!(
                f,
                "map to data units (f32): data = offset + scale * y, offset {:?}, scale {:?}",
                sc.offset, sc.scale
            )?;
        }
        if let Some(q) = &self.int8 {
            writeln!(f, "int8 layers (a map \"s @ z\" is real = s * (code - z))")?;
            for (k, l) in q.layers.iter().enumerate() {
                write!(
                    f,
                    "  {k:>3}  {:<16} {} -> {}",
                    l.kind,
                    dims(&l.input),
                    dims(&l.output)
                )?;
                if let Some(c) = l.conv {
                    write!(
                        f,
                        ", kernel {}, stride {}, padding {}",
                        dims(&c.kernel),
                        dims(&c.stride),
                        dims(&c.padding)
                    )?;
                }
                match l.factor {
                    Some(r) => writeln!(f, ", factor {r}")?,
                    None => writeln!(f)?,
                }
                writeln!(
                    f,
                    "       input {}, output {}, clamp {}..{}",
                    map(&l.input_scale, l.input_zero),
                    map(&l.output_scale, l.output_zero),
                    l.clamp[0],
                    l.clamp[1]
                )?;
                if let Some(bits) = l.weight_bits {
                    writeln!(f, "       {} weight codes, {bits}-bit", l.weights)?;
                }
                if !l.channels.is_empty() {
                    writeln!(
                        f,
                        "       {} channel records: {}",
                        l.channels.len(),
                        summary(&l.channels)
                    )?;
                }
                if l.table {
                    writeln!(f, "       256-entry table")?;
                }
            }
            writeln!(
                f,
                "  output map to data units (data = M * (bias + (code - z) * 2^16) / 2^16): {} records: {}",
                q.output_map.len(),
                summary(&q.output_map)
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
