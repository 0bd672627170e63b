//! DER identifier octets: class, constructed bit and (single-byte) tag number.

use core::fmt;

/// The class of a DER tag (X.690 §8.1.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    /// Universal types (INTEGER, SEQUENCE, ...).
    Universal,
    /// `[APPLICATION n]`: Kerberos message types, GSS-API's InitialContextToken.
    Application,
    /// `[n]`: context-specific, the explicit field tags of Kerberos and SPNEGO.
    Context,
    /// `[PRIVATE n]`: not used by Kerberos.
    Private,
}

/// A DER tag whose number fits the single identifier byte (0 to 30).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tag {
    /// The tag class.
    pub class: Class,
    /// Whether the encoding is constructed (holds further elements).
    pub constructed: bool,
    /// The tag number, 0 to 30.
    pub number: u8,
}

impl Tag {
    /// UNIVERSAL 1, BOOLEAN.
    pub const BOOLEAN: Tag = Tag::universal(1, false);
    /// UNIVERSAL 2, INTEGER.
    pub const INTEGER: Tag = Tag::universal(2, false);
    /// UNIVERSAL 3, BIT STRING (primitive: DER forbids the constructed form).
    pub const BIT_STRING: Tag = Tag::universal(3, false);
    /// UNIVERSAL 4, OCTET STRING (primitive).
    pub const OCTET_STRING: Tag = Tag::universal(4, false);
    /// UNIVERSAL 5, NULL.
    pub const NULL: Tag = Tag::universal(5, false);
    /// UNIVERSAL 6, OBJECT IDENTIFIER.
    pub const OID: Tag = Tag::universal(6, false);
    /// UNIVERSAL 10, ENUMERATED.
    pub const ENUMERATED: Tag = Tag::universal(10, false);
    /// UNIVERSAL 16 constructed, SEQUENCE and SEQUENCE OF.
    pub const SEQUENCE: Tag = Tag::universal(16, true);
    /// UNIVERSAL 24, GeneralizedTime (KerberosTime).
    pub const GENERALIZED_TIME: Tag = Tag::universal(24, false);
    /// UNIVERSAL 27, GeneralString (KerberosString, Realm).
    pub const GENERAL_STRING: Tag = Tag::universal(27, false);

    /// A universal tag.
    pub const fn universal(number: u8, constructed: bool) -> Tag {
        Tag {
            class: Class::Universal,
            constructed,
            number,
        }
    }

    /// A constructed `[APPLICATION n]` tag, as Kerberos messages use.
    pub const fn application(number: u8) -> Tag {
        Tag {
            class: Class::Application,
            constructed: true,
            number,
        }
    }

    /// A constructed context-specific `[n]` tag: an explicit field tag.
    pub const fn context(number: u8) -> Tag {
        Tag {
            class: Class::Context,
            constructed: true,
            number,
        }
    }

    /// Parses an identifier byte; `None` for the multi-byte form (number 31).
    pub const fn from_byte(byte: u8) -> Option<Tag> {
        let class = match byte >> 6 {
            0 => Class::Universal,
            1 => Class::Application,
            2 => Class::Context,
            _ => Class::Private,
        };
        let number = byte & 0x1f;
        if number == 0x1f {
            return None;
        }
        Some(Tag {
            class,
            constructed: byte & 0x20 != 0,
            number,
        })
    }

    /// The identifier byte of this tag (the number is masked to 5 bits).
    pub const fn to_byte(self) -> u8 {
        let class = match self.class {
            Class::Universal => 0x00,
            Class::Application => 0x40,
            Class::Context => 0x80,
            Class::Private => 0xc0,
        };
        let constructed = if self.constructed { 0x20 } else { 0 };
        class | constructed | (self.number & 0x1f)
    }

    /// The ASN.1 name of a universal tag, if it is one Kerberos uses.
    pub fn universal_name(self) -> Option<&'static str> {
        if self.class != Class::Universal {
            return None;
        }
        Some(match self.number {
            1 => "BOOLEAN",
            2 => "INTEGER",
            3 => "BIT STRING",
            4 => "OCTET STRING",
            5 => "NULL",
            6 => "OBJECT IDENTIFIER",
            10 => "ENUMERATED",
            12 => "UTF8String",
            16 => "SEQUENCE",
            17 => "SET",
            19 => "PrintableString",
            22 => "IA5String",
            23 => "UTCTime",
            24 => "GeneralizedTime",
            27 => "GeneralString",
            _ => return None,
        })
    }

    /// Writes the tag without its universal name, e.g. `[APPLICATION 14] constructed`.
    pub(crate) fn fmt_bare(self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let form = if self.constructed {
            "constructed"
        } else {
            "primitive"
        };
        match self.class {
            Class::Universal => write!(f, "UNIVERSAL {} {form}", self.number),
            Class::Application => write!(f, "[APPLICATION {}] {form}", self.number),
            Class::Context => write!(f, "[{}] {form}", self.number),
            Class::Private => write!(f, "[PRIVATE {}] {form}", self.number),
        }
    }
}

impl fmt::Display for Tag {
    /// `UNIVERSAL 16 constructed (SEQUENCE)`, `[APPLICATION 14] constructed`, `[3] constructed`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_bare(f)?;
        if let Some(name) = self.universal_name() {
            write!(f, " ({name})")?;
        }
        Ok(())
    }
}
