import Testing
@testable import WardenHunter

@Suite struct TransformTests {
    @Test func urlDecode_handlesPercentUnicodeAndOverlongForms() {
        #expect(Transform.urlDecode.apply("%3Cscript%3E") == "<script>")
        #expect(Transform.urlDecode.apply("%u003cb%u003e") == "<b>")
        #expect(Transform.urlDecode.apply("%c0%ae%c0%ae%c0%af") == "../")
        #expect(Transform.urlDecode.apply("100% sure, a+b") == "100% sure, a+b")
        #expect(Transform.urlDecode.apply("%252e") == "%2e")
    }

    @Test func htmlEntityDecode_handlesNamedAndNumericForms() {
        #expect(Transform.htmlEntityDecode.apply("&lt;a&gt; &amp; &quot;x&quot;") == "<a> & \"x\"")
        #expect(Transform.htmlEntityDecode.apply("&#60;&#x3C;&#X3c;&#0000060") == "<<<<")
        #expect(Transform.htmlEntityDecode.apply("ja&Tab;va&NewLine;script&colon;") == "ja\tva\nscript:")
        #expect(Transform.htmlEntityDecode.apply("AT&T and &unknown; stay") == "AT&T and &unknown; stay")
    }

    @Test func nfkc_foldsFullwidthForms() {
        #expect(Transform.unicodeNFKC.apply("＜script＞") == "<script>")
        #expect(Transform.unicodeNFKC.apply("plain ascii") == "plain ascii")
    }

    @Test func lowercase_handlesASCIIAndUnicode() {
        #expect(Transform.lowercase.apply("SeLeCt") == "select")
        #expect(Transform.lowercase.apply("ÄÖÜ Straße") == "äöü straße")
    }

    @Test func removeNulls_andCompressWhitespace() {
        #expect(Transform.removeNulls.apply("a\u{0}b\u{0}") == "ab")
        #expect(Transform.compressWhitespace.apply("union \t\n  select") == "union select")
        #expect(Transform.compressWhitespace.apply("one space") == "one space")
    }

    @Test func base64Decode_replacesReadableRunsOnly() {
        #expect(Transform.base64Decode.apply("echo dW5hbWUgLWEgOyBpZCA7IHdob2FtaQ== | sh") == "echo uname -a ; id ; whoami | sh")
        #expect(Transform.base64Decode.apply("hash 3f5a9c0d1e2b4a6978c8d7e6f5a4b3c2") == "hash 3f5a9c0d1e2b4a6978c8d7e6f5a4b3c2")
    }

    @Test func cmdLine_removesShellObfuscation() {
        #expect(Transform.cmdLine.apply("c'a't /e\\tc/pa\"\"sswd") == "cat/etc/passwd")
        #expect(Transform.cmdLine.apply("W''HO``AMI;ID") == "whoami id")
    }

    @Test func identityChecks_neverSkipAChangingTransform() {
        for text in ["%41", "&lt;", "ＡＢ", "a\u{0}b"] {
            for transform in [Transform.urlDecode, .htmlEntityDecode, .unicodeNFKC, .removeNulls] {
                var copy = text
                let skipped = copy.withUTF8 { transform.isIdentity(on: $0, isASCII: TextDecoding.isASCII($0)) }
                if skipped { #expect(transform.apply(text) == text) }
            }
        }
    }
}
