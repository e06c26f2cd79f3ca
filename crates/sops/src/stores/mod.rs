//! The file formats sops reads and writes.

pub(crate) mod dotenv;
pub(crate) mod ini;
pub(crate) mod json;
pub(crate) mod yaml;

use crate::error::{Error, Result, StructureError, UnsupportedError};
use crate::metadata::Metadata;
use crate::value::{Map, Value};
use std::io::Write;
use std::path::Path;
use zeroize::Zeroizing;

/// A SOPS store (file format).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// YAML (multi-document, comments).
    Yaml,
    /// JSON.
    Json,
    /// dotenv (`KEY=value`).
    Dotenv,
    /// INI.
    Ini,
    /// Any bytes, stored as one value in a JSON envelope.
    Binary,
}

impl Format {
    /// The format sops infers from a file name.
    pub fn from_path(p: &Path) -> Format {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
        match ext {
            "yaml" | "yml" => Format::Yaml,
            "json" => Format::Json,
            "env" => Format::Dotenv,
            "ini" => Format::Ini,
            _ if name == ".env" => Format::Dotenv,
            _ => Format::Binary,
        }
    }

    /// Parses `yaml`, `json`, `dotenv`, `ini`, `binary`.
    pub fn from_name(s: &str) -> Result<Format> {
        Ok(match s {
            "yaml" | "yml" => Format::Yaml,
            "json" => Format::Json,
            "dotenv" | "env" => Format::Dotenv,
            "ini" => Format::Ini,
            "binary" => Format::Binary,
            other => {
                return Err(UnsupportedError::UnknownFormat {
                    name: other.to_string(),
                }
                .into())
            }
        })
    }

    /// The name used by sops.
    pub fn name(self) -> &'static str {
        match self {
            Format::Yaml => "yaml",
            Format::Json => "json",
            Format::Dotenv => "dotenv",
            Format::Ini => "ini",
            Format::Binary => "binary",
        }
    }
}

const SOPS_KEY: &str = "sops";

/// How deeply maps and lists may nest in a YAML or JSON file. sops allows
/// more, but no real file comes close, and every walk of the tree recurses:
/// this many levels fit a 2 MiB thread stack even in a debug build.
pub(crate) const MAX_DEPTH: usize = 256;

/// Reads a plaintext file into documents (maps).
pub fn load_plain(input: &[u8], f: Format) -> Result<Vec<Map>> {
    Ok(match f {
        Format::Yaml => yaml::load(input)?,
        Format::Json => vec![json::load(input)?],
        Format::Dotenv => vec![dotenv::load(input)?],
        Format::Ini => vec![ini::load(input)?],
        Format::Binary => {
            let mut m = Map::new();
            let v = match std::str::from_utf8(input) {
                Ok(s) => Value::str(s),
                Err(_) => Value::Bytes(Zeroizing::new(input.to_vec())),
            };
            m.push("data", v);
            vec![m]
        }
    })
}

/// [`load_plain`] taking the input: a binary file's bytes become its value
/// without a copy (and are wiped once, with the value).
pub(crate) fn load_plain_owned(mut input: Zeroizing<Vec<u8>>, f: Format) -> Result<Vec<Map>> {
    if f != Format::Binary {
        return load_plain(&input, f);
    }
    let v = match String::from_utf8(std::mem::take(&mut *input)) {
        Ok(s) => Value::str(s),
        Err(e) => Value::Bytes(Zeroizing::new(e.into_bytes())),
    };
    let mut m = Map::new();
    m.push("data", v);
    Ok(vec![m])
}

/// Writes documents as plaintext to `w`: [`emit_plain`] without copying
/// large values.
pub fn write_plain(docs: &[Map], f: Format, w: &mut dyn Write) -> Result<()> {
    match f {
        Format::Binary => match docs.first().and_then(|d| d.get("data")) {
            Some(Value::Str(s)) => w.write_all(s.expose().as_bytes()).map_err(Error::Write),
            Some(Value::Bytes(b)) => w.write_all(b).map_err(Error::Write),
            _ => Err(StructureError::BinaryData.into()),
        },
        Format::Json => {
            let empty = Map::new();
            json::write_with(docs.first().unwrap_or(&empty), None, w).map_err(Error::Write)
        }
        _ => {
            let text = Zeroizing::new(emit_plain(docs, f)?);
            w.write_all(&text).map_err(Error::Write)
        }
    }
}

/// Writes documents as plaintext.
pub fn emit_plain(docs: &[Map], f: Format) -> Result<Vec<u8>> {
    let first = || docs.first().cloned().unwrap_or_default();
    Ok(match f {
        Format::Yaml => yaml::emit(docs).into_bytes(),
        Format::Json => json::emit(&first()).into_bytes(),
        Format::Dotenv => dotenv::emit(&first())?.into_bytes(),
        Format::Ini => ini::emit(&first())?.into_bytes(),
        Format::Binary => match docs.first().and_then(|d| d.get("data")) {
            Some(Value::Str(s)) => s.expose().as_bytes().to_vec(),
            Some(Value::Bytes(b)) => b.to_vec(),
            _ => return Err(StructureError::BinaryData.into()),
        },
    })
}

/// Writes one value (for `--extract`): strings raw, trees in the format.
pub(crate) fn emit_value(v: &Value, f: Format) -> Result<Vec<u8>> {
    match v {
        Value::Str(s) => return Ok(s.expose().as_bytes().to_vec()),
        Value::Bytes(b) => return Ok(b.to_vec()),
        _ => {}
    }
    Ok(match f {
        Format::Yaml => yaml::emit_value(v).into_bytes(),
        Format::Json | Format::Binary => {
            let mut s = json::emit_value(v);
            if v.is_scalar() {
                // sops prints JSON scalars without a newline.
                s.pop();
            }
            s.into_bytes()
        }
        Format::Dotenv | Format::Ini => match v {
            Value::Map(m) if f == Format::Dotenv => dotenv::emit(m)?.into_bytes(),
            other => dotenv::scalar_to_string(other)?.into_bytes(),
        },
    })
}

/// Whether a plaintext document already carries sops metadata.
pub(crate) fn has_metadata(docs: &[Map], f: Format) -> bool {
    match f {
        Format::Dotenv => docs
            .iter()
            .any(|d| d.entries().any(|(k, _)| k.starts_with("sops_"))),
        _ => docs.iter().any(|d| d.get(SOPS_KEY).is_some()),
    }
}

/// Reads an encrypted file: documents (without metadata) and metadata.
pub(crate) fn load_encrypted(input: &[u8], f: Format) -> Result<(Vec<Map>, Metadata)> {
    match f {
        Format::Yaml => {
            let mut docs = yaml::load(input)?;
            let mut md = None;
            for d in docs.iter_mut() {
                if let Some(v) = d.remove(SOPS_KEY) {
                    if md.is_none() {
                        md = Some(v);
                    }
                }
            }
            let md = md.ok_or(Error::MetadataNotFound)?;
            Ok((docs, Metadata::from_value(&md)?))
        }
        Format::Json | Format::Binary => {
            let mut m = json::load(input)?;
            let md = m.remove(SOPS_KEY).ok_or(Error::MetadataNotFound)?;
            if f == Format::Binary && m.get("data").is_none() {
                return Err(StructureError::EncryptedBinaryData.into());
            }
            Ok((vec![m], Metadata::from_value(&md)?))
        }
        Format::Dotenv => {
            let m = dotenv::load(input)?;
            let mut data = Map::new();
            let mut flat = Vec::new();
            for item in m.items {
                match item {
                    crate::value::MapItem::Entry(k, v) if k.starts_with("sops_") => {
                        let s = v.as_str().unwrap_or_default().replace('\n', "\\n");
                        flat.push((k["sops_".len()..].to_string(), s));
                    }
                    other => data.items.push(other),
                }
            }
            if flat.is_empty() {
                return Err(Error::MetadataNotFound);
            }
            let md = dotenv::unflatten_metadata(&flat)?;
            Ok((vec![data], Metadata::from_value(&md)?))
        }
        Format::Ini => {
            let mut m = ini::load(input)?;
            let sec = m.remove(SOPS_KEY).ok_or(Error::MetadataNotFound)?;
            let mut flat = Vec::new();
            if let Value::Map(s) = sec {
                for (k, v) in s.entries() {
                    flat.push((k.to_string(), v.as_str().unwrap_or_default().to_string()));
                }
            }
            let md = dotenv::unflatten_metadata(&flat)?;
            Ok((vec![m], Metadata::from_value(&md)?))
        }
    }
}

/// Writes an encrypted file to `w`: [`emit_encrypted`] without copying
/// large values.
pub(crate) fn write_encrypted(
    docs: &[Map],
    md: &Metadata,
    f: Format,
    w: &mut dyn Write,
) -> Result<()> {
    match f {
        Format::Json | Format::Binary => {
            let empty = Map::new();
            let d = docs.first().unwrap_or(&empty);
            let mdv = md.to_value(true);
            json::write_with(d, Some((SOPS_KEY, &mdv)), w).map_err(Error::Write)
        }
        _ => w
            .write_all(&emit_encrypted(docs, md, f)?)
            .map_err(Error::Write),
    }
}

/// Writes an encrypted file.
pub(crate) fn emit_encrypted(docs: &[Map], md: &Metadata, f: Format) -> Result<Vec<u8>> {
    match f {
        Format::Yaml => {
            let mdv = md.to_value(false);
            let with: Vec<Map> = docs
                .iter()
                .map(|d| {
                    let mut d = d.clone();
                    d.push(SOPS_KEY, mdv.clone());
                    d
                })
                .collect();
            Ok(yaml::emit(&with).into_bytes())
        }
        Format::Json | Format::Binary => {
            let empty = Map::new();
            let d = docs.first().unwrap_or(&empty);
            let mdv = md.to_value(true);
            Ok(json::emit_with(d, Some((SOPS_KEY, &mdv))).into_bytes())
        }
        Format::Dotenv => {
            let mut d = docs.first().cloned().unwrap_or_default();
            let mut flat = dotenv::flatten_metadata(&md.to_value(false));
            flat.sort();
            for (k, v) in flat {
                d.push(format!("sops_{k}"), Value::str(v));
            }
            Ok(dotenv::emit(&d)?.into_bytes())
        }
        Format::Ini => {
            let mut d = docs.first().cloned().unwrap_or_default();
            let mut sec = Map::new();
            for (k, v) in dotenv::flatten_metadata(&md.to_value(false)) {
                sec.push(k, Value::str(v));
            }
            d.push(SOPS_KEY, Value::Map(sec));
            Ok(ini::emit(&d)?.into_bytes())
        }
    }
}
