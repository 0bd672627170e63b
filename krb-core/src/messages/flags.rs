//! Typed flag sets: KerberosFlags (RFC 4120 §5.2.8) and the GSS-API checksum flags.

/// Defines a flag set over a `u32` with named constants and the names used in output.
macro_rules! flag_set {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$fmeta:meta])* $flag:ident = ($value:expr, $text:literal), )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct $name(u32);

        impl $name {
            $( $(#[$fmeta])* pub const $flag: $name = $name($value); )*

            /// Every named flag with its name.
            pub const NAMED: &'static [($name, &'static str)] = &[ $( ($name::$flag, $text), )* ];

            /// The empty set.
            pub const fn empty() -> $name {
                $name(0)
            }

            /// The set from its bits (unnamed bits are kept).
            pub const fn from_bits(bits: u32) -> $name {
                $name(bits)
            }

            /// The bits of the set.
            pub const fn bits(self) -> u32 {
                self.0
            }

            /// Whether every flag of `other` is in the set.
            pub const fn contains(self, other: $name) -> bool {
                self.0 & other.0 == other.0
            }

            /// The set with the flags of `other` added.
            #[must_use]
            pub const fn with(self, other: $name) -> $name {
                $name(self.0 | other.0)
            }

            /// The names of the named flags in the set, in bit order.
            pub fn names(self) -> impl Iterator<Item = &'static str> {
                $name::NAMED
                    .iter()
                    .filter(move |(flag, _)| self.contains(*flag))
                    .map(|(_, text)| *text)
            }

            /// The bits set that have no name here.
            pub fn unnamed_bits(self) -> u32 {
                let named = $name::NAMED.iter().fold(0u32, |acc, (flag, _)| acc | flag.0);
                self.0 & !named
            }
        }

        impl core::ops::BitOr for $name {
            type Output = $name;
            fn bitor(self, other: $name) -> $name {
                self.with(other)
            }
        }

        impl core::fmt::Debug for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                write!(f, "{}(", stringify!($name))?;
                let mut first = true;
                for text in self.names() {
                    if !first {
                        f.write_str(" | ")?;
                    }
                    f.write_str(text)?;
                    first = false;
                }
                let rest = self.unnamed_bits();
                if rest != 0 {
                    if !first {
                        f.write_str(" | ")?;
                    }
                    write!(f, "{rest:#010x}")?;
                }
                f.write_str(")")
            }
        }
    };
}

/// The `u32` bit of KerberosFlags flag `n` (flag 0 is the most significant bit).
const fn kflag(n: u32) -> u32 {
    1 << (31 - n)
}

flag_set! {
    /// TicketFlags (RFC 4120 §5.3; RFC 6806 enc-pa-rep, RFC 8062 anonymous), with MIT's names.
    TicketFlags {
        /// Bit 1: the ticket may be forwarded.
        FORWARDABLE = (kflag(1), "forwardable"),
        /// Bit 2: the ticket was forwarded, or issued from a forwarded ticket.
        FORWARDED = (kflag(2), "forwarded"),
        /// Bit 3: the ticket may be proxied.
        PROXIABLE = (kflag(3), "proxiable"),
        /// Bit 4: the ticket is a proxy.
        PROXY = (kflag(4), "proxy"),
        /// Bit 5: postdated tickets may be issued from this ticket.
        MAY_POSTDATE = (kflag(5), "may-postdate"),
        /// Bit 6: the ticket is postdated.
        POSTDATED = (kflag(6), "postdated"),
        /// Bit 7: the ticket is invalid and must be validated by the KDC before use.
        INVALID = (kflag(7), "invalid"),
        /// Bit 8: the ticket is renewable.
        RENEWABLE = (kflag(8), "renewable"),
        /// Bit 9: issued by the AS exchange, not from a TGT.
        INITIAL = (kflag(9), "initial"),
        /// Bit 10: the client was pre-authenticated.
        PRE_AUTHENT = (kflag(10), "pre-authent"),
        /// Bit 11: pre-authenticated with hardware.
        HW_AUTHENT = (kflag(11), "hw-authent"),
        /// Bit 12: the KDC checked the transited field.
        TRANSITED_POLICY_CHECKED = (kflag(12), "transited-policy-checked"),
        /// Bit 13: the service is trusted for delegation by realm policy.
        OK_AS_DELEGATE = (kflag(13), "ok-as-delegate"),
        /// Bit 15: the KDC supports FAST encrypted padata replies (RFC 6806).
        ENC_PA_REP = (kflag(15), "enc-pa-rep"),
        /// Bit 16: the ticket is anonymous (RFC 8062).
        ANONYMOUS = (kflag(16), "anonymous"),
    }
}

flag_set! {
    /// APOptions (RFC 4120 §5.5.1).
    ApOptions {
        /// Bit 1: the ticket is encrypted in the session key of the server's TGT
        /// (user-to-user).
        USE_SESSION_KEY = (kflag(1), "use-session-key"),
        /// Bit 2: the client requires mutual authentication (an AP-REP).
        MUTUAL_REQUIRED = (kflag(2), "mutual-required"),
    }
}

flag_set! {
    /// The context flags of the GSS-API authenticator checksum (RFC 4121 §4.1.1.1), as
    /// the little-endian `Flags` field holds them.
    GssFlags {
        /// `GSS_C_DELEG_FLAG`: credentials are delegated (a KRB-CRED follows).
        DELEG = (1, "deleg"),
        /// `GSS_C_MUTUAL_FLAG`: mutual authentication requested.
        MUTUAL = (2, "mutual"),
        /// `GSS_C_REPLAY_FLAG`: replay detection requested.
        REPLAY = (4, "replay"),
        /// `GSS_C_SEQUENCE_FLAG`: out-of-sequence detection requested.
        SEQUENCE = (8, "sequence"),
        /// `GSS_C_CONF_FLAG`: confidentiality available.
        CONF = (16, "conf"),
        /// `GSS_C_INTEG_FLAG`: integrity available.
        INTEG = (32, "integ"),
        /// `GSS_C_ANON_FLAG`: anonymous.
        ANON = (64, "anon"),
        /// `GSS_C_TRANS_FLAG` (RFC 2744): the context may be exported; MIT sets it.
        TRANS = (0x100, "trans"),
        /// `GSS_C_DCE_STYLE` (Microsoft).
        DCE_STYLE = (0x1000, "dce-style"),
        /// `GSS_C_IDENTIFY_FLAG` (Microsoft).
        IDENTIFY = (0x2000, "identify"),
        /// `GSS_C_EXTENDED_ERROR_FLAG` (Microsoft).
        EXTENDED_ERROR = (0x4000, "extended-error"),
    }
}

flag_set! {
    /// SPNEGO ContextFlags (RFC 4178 §4.2.1), a BIT STRING read like KerberosFlags (flag 0
    /// is the most significant bit). Deprecated by RFC 4178 and ignored by acceptors.
    ContextFlags {
        /// Bit 0.
        DELEG = (kflag(0), "deleg"),
        /// Bit 1.
        MUTUAL = (kflag(1), "mutual"),
        /// Bit 2.
        REPLAY = (kflag(2), "replay"),
        /// Bit 3.
        SEQUENCE = (kflag(3), "sequence"),
        /// Bit 4.
        ANON = (kflag(4), "anon"),
        /// Bit 5.
        CONF = (kflag(5), "conf"),
        /// Bit 6.
        INTEG = (kflag(6), "integ"),
    }
}
