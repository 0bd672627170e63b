//! Writing version 0x0502 keytabs, and replacing a file atomically.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::error::{ErrorKind, Field, KeytabError};
use crate::keytab::{Entry, Keytab};
use crate::parse::{MAX_FILE_SIZE, parse};

fn unwritable(entry: &Entry, field: Field, value: usize) -> KeytabError {
    ErrorKind::Unwritable {
        field,
        value: i64::try_from(value).unwrap_or(i64::MAX),
        principal: entry.principal().to_string(),
    }
    .into()
}

fn put_data(
    out: &mut Vec<u8>,
    entry: &Entry,
    field: Field,
    bytes: &[u8],
) -> Result<(), KeytabError> {
    let len = u16::try_from(bytes.len()).map_err(|_| unwritable(entry, field, bytes.len()))?;
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(bytes);
    Ok(())
}

fn encode_entry(out: &mut Vec<u8>, entry: &Entry) -> Result<(), KeytabError> {
    let start = out.len();
    out.extend_from_slice(&[0; 4]); // size, filled in below
    let principal = entry.principal();
    let count = principal.components().len();
    let count =
        u16::try_from(count).map_err(|_| unwritable(entry, Field::ComponentCount, count))?;
    out.extend_from_slice(&count.to_be_bytes());
    put_data(out, entry, Field::Realm, principal.realm())?;
    for c in principal.components() {
        put_data(out, entry, Field::Component, c)?;
    }
    out.extend_from_slice(&entry.name_type().to_be_bytes());
    out.extend_from_slice(&entry.timestamp().to_be_bytes());
    // MIT writes the low 8 bits here and the full kvno in the 32-bit field after the key.
    out.push(entry.kvno().to_be_bytes()[3]);
    let enctype = i16::try_from(entry.enctype().get()).map_err(|_| {
        unwritable(
            entry,
            Field::Enctype,
            usize::try_from(entry.enctype().get().unsigned_abs()).unwrap_or(usize::MAX),
        )
    })?;
    out.extend_from_slice(&enctype.to_be_bytes());
    put_data(out, entry, Field::Key, entry.key_bytes())?;
    out.extend_from_slice(&entry.kvno().to_be_bytes());
    let size = out.len().saturating_sub(start).saturating_sub(4);
    let size = i32::try_from(size).map_err(|_| unwritable(entry, Field::EntrySize, size))?;
    if let Some(slot) = out.get_mut(start..start.saturating_add(4)) {
        slot.copy_from_slice(&size.to_be_bytes());
    }
    Ok(())
}

impl Keytab {
    /// The keytab as a version 0x0502 file: big-endian, every entry with the 32-bit kvno after
    /// the key (and its low 8 bits in the 8-bit field, as MIT writes it), holes dropped. The
    /// buffer holds keys and is zeroized when dropped.
    pub fn to_bytes(&self) -> Result<Zeroizing<Vec<u8>>, KeytabError> {
        let mut out = Zeroizing::new(Vec::with_capacity(2 + self.entries().len() * 96));
        out.extend_from_slice(&[5, 2]);
        for entry in self.entries() {
            encode_entry(&mut out, entry)?;
        }
        Ok(out)
    }

    /// Reads and parses the keytab at `path`. Errors name the file.
    pub fn read_file(path: impl AsRef<Path>) -> Result<Keytab, KeytabError> {
        let path = path.as_ref();
        let bytes = read_bounded(path).map_err(|e| e.with_path(path))?;
        parse(&bytes).map_err(|e| e.with_path(path))
    }

    /// Reads the keytab at `path` for editing: a file that does not exist or is empty is an
    /// empty keytab (as MIT's `kadmin ktadd` treats them); anything else must parse.
    pub fn read_file_or_new(path: impl AsRef<Path>) -> Result<Keytab, KeytabError> {
        let path = path.as_ref();
        match read_bounded(path) {
            Ok(bytes) if bytes.is_empty() => Ok(Keytab::new()),
            Ok(bytes) => parse(&bytes).map_err(|e| e.with_path(path)),
            Err(e)
                if matches!(e.kind(), ErrorKind::Io { source, .. }
                    if source.kind() == io::ErrorKind::NotFound) =>
            {
                Ok(Keytab::new())
            }
            Err(e) => Err(e.with_path(path)),
        }
    }

    /// Writes the keytab to `path` atomically: the bytes go to a new file in the same directory,
    /// which is synced and renamed over `path`. A new file gets mode 0600; a replaced file keeps
    /// its mode and owner. If `path` is a symbolic link, the file it points to is replaced.
    ///
    /// Two writers at once do not merge: the last rename wins (MIT's tools lock the file instead,
    /// and do not see this tool's writes in progress).
    pub fn write_file(&self, path: impl AsRef<Path>) -> Result<(), KeytabError> {
        let path = path.as_ref();
        let bytes = self.to_bytes().map_err(|e| e.with_path(path))?;
        write_atomic(path, &bytes).map_err(|e| e.with_path(path))
    }
}

fn io_error(action: &'static str) -> impl FnOnce(io::Error) -> KeytabError {
    move |source| ErrorKind::Io { action, source }.into()
}

fn read_bounded(path: &Path) -> Result<Zeroizing<Vec<u8>>, KeytabError> {
    let file = File::open(path).map_err(io_error("opening for reading"))?;
    let max = MAX_FILE_SIZE as u64;
    let size = file.metadata().map_err(io_error("reading metadata"))?.len();
    if size > max {
        return Err(ErrorKind::TooLarge { size, max }.into());
    }
    let mut bytes = Zeroizing::new(Vec::with_capacity(usize::try_from(size).unwrap_or(0)));
    // One byte over the limit, in case the file grew since the metadata was read.
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io_error("reading"))?;
    if bytes.len() > MAX_FILE_SIZE {
        return Err(ErrorKind::TooLarge {
            size: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
            max,
        }
        .into());
    }
    Ok(bytes)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), KeytabError> {
    let target: PathBuf = match fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            fs::canonicalize(path).map_err(io_error("resolving the symbolic link"))?
        }
        _ => path.to_path_buf(),
    };
    let existing = match fs::metadata(&target) {
        Ok(meta) => Some(meta),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_error("reading metadata")(e)),
    };
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "keytab".to_owned());
    let (tmp_path, mut file) = create_temp(&dir, &name)?;
    let result = (|| {
        file.write_all(bytes).map_err(io_error("writing"))?;
        let mode = existing.as_ref().map_or(0o600, |m| m.mode() & 0o7777);
        file.set_permissions(fs::Permissions::from_mode(mode))
            .map_err(io_error("setting the mode"))?;
        if let Some(meta) = &existing {
            let own = file.metadata().map_err(io_error("reading metadata"))?;
            if own.uid() != meta.uid() || own.gid() != meta.gid() {
                std::os::unix::fs::fchown(&file, Some(meta.uid()), Some(meta.gid()))
                    .map_err(io_error("keeping the file's owner"))?;
            }
        }
        file.sync_all().map_err(io_error("syncing"))?;
        drop(file);
        fs::rename(&tmp_path, &target).map_err(io_error("renaming the new file into place"))?;
        // Make the rename durable; a failure here leaves a correct file, so it is not an error.
        if let Ok(d) = File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp_path);
    }
    result
}

fn create_temp(dir: &Path, name: &str) -> Result<(PathBuf, File), KeytabError> {
    let pid = std::process::id();
    let mut last = None;
    for attempt in 0..16u32 {
        let tmp = dir.join(format!(".{name}.{pid}.{attempt}.tmp"));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
        {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(io_error("creating a temporary file beside it")(e)),
        }
    }
    Err(io_error("creating a temporary file beside it")(
        last.unwrap_or_else(|| io::Error::from(io::ErrorKind::AlreadyExists)),
    ))
}
