/// The named HTML character references the `html_entity_decode` transform knows: the ones that matter for
/// markup and script syntax, plus common typography. Names are matched case-sensitively first, then lowercased.
enum HTMLEntities {
    static let named: [String: UInt32] = [
        "lt": 0x3C, "gt": 0x3E, "amp": 0x26, "quot": 0x22, "apos": 0x27, "nbsp": 0xA0,
        "Tab": 0x09, "tab": 0x09, "NewLine": 0x0A, "newline": 0x0A,
        "excl": 0x21, "num": 0x23, "dollar": 0x24, "percnt": 0x25, "lpar": 0x28, "rpar": 0x29,
        "ast": 0x2A, "midast": 0x2A, "plus": 0x2B, "comma": 0x2C, "period": 0x2E, "sol": 0x2F,
        "colon": 0x3A, "semi": 0x3B, "equals": 0x3D, "quest": 0x3F, "commat": 0x40,
        "lsqb": 0x5B, "lbrack": 0x5B, "bsol": 0x5C, "rsqb": 0x5D, "rbrack": 0x5D, "hat": 0x5E,
        "lowbar": 0x5F, "grave": 0x60, "lcub": 0x7B, "lbrace": 0x7B, "verbar": 0x7C, "vert": 0x7C,
        "VerticalLine": 0x7C, "rcub": 0x7D, "rbrace": 0x7D, "tilde": 0x2DC, "dash": 0x2010,
        "ndash": 0x2013, "mdash": 0x2014, "lsquo": 0x2018, "rsquo": 0x2019, "ldquo": 0x201C,
        "rdquo": 0x201D, "bdquo": 0x201E, "hellip": 0x2026, "copy": 0xA9, "reg": 0xAE,
        "trade": 0x2122, "shy": 0xAD, "zwj": 0x200D, "zwnj": 0x200C, "lrm": 0x200E, "rlm": 0x200F,
        "ensp": 0x2002, "emsp": 0x2003, "thinsp": 0x2009,
    ]

    /// Names browsers accept without the trailing `;` (the legacy subset that matters for markup).
    static let legacyUnterminated: Set<String> = ["lt", "gt", "amp", "quot", "nbsp", "copy", "reg"]
}
