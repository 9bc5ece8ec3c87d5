import WardenCore

extension HostKey {
    /// Replaces the host key: makes a new key, appends a key-rotation record signed by the old key and the new
    /// one, then puts the new key in place of the old (which is gone afterwards).
    ///
    /// If the process dies between the record and the file swap, the new key waits in `keys/host.key.next`;
    /// ``reconcile(home:activeKeyID:)`` (run when the log is opened) finishes the swap.
    /// - Throws: ``HostKeyError`` for the files, ``LogError`` when the record cannot be appended (the old key
    ///   then stays in force).
    public func rotate(log: some LogWriting, reason: String?) async throws -> (key: HostKey, receipt: LogReceipt) {
        let next = Ed25519SigningKey.generate()
        let nextPath = Self.nextPath(directory)
        try KeyFiles.remove(nextPath)
        _ = try KeyFiles.writePrivateKey(next, to: nextPath, replace: false)
        let receipt = try await log.rotateKey(to: next, reason: reason)
        try KeyFiles.install(nextPath, as: Self.privatePath(directory))
        try KeyFiles.writePublicKey(next.publicKey, to: Self.publicPath(directory))
        return (HostKey(signingKey: next, directory: directory), receipt)
    }

    /// Makes the files agree with the log after an interrupted rotation, and returns the key the log expects.
    ///
    /// `activeKeyID` is the keyid that signs the log now (the anchor, or the new key of the last rotation).
    /// - Throws: ``HostKeyError``: `malformed` with a message naming both keyids when neither `host.key` nor
    ///   `host.key.next` is the key the log expects.
    public static func reconcile(home: String, activeKeyID: String) throws(HostKeyError) -> HostKey {
        let dir = directory(home: home)
        let current = try load(home: home)
        let nextPath = Self.nextPath(dir)
        if current.signingKey.keyid == activeKeyID {
            try KeyFiles.remove(nextPath)
            return current
        }
        if KeyFiles.exists(nextPath) {
            let next = try KeyFiles.readPrivateKey(nextPath)
            if next.keyid == activeKeyID {
                try KeyFiles.install(nextPath, as: privatePath(dir))
                try KeyFiles.writePublicKey(next.publicKey, to: publicPath(dir))
                return HostKey(signingKey: next, directory: dir)
            }
        }
        throw HostKeyError(
            .malformed, path: privatePath(dir),
            "this key (keyid \(current.signingKey.keyid.prefix(16))…) is not the key the log is signed with "
                + "(keyid \(activeKeyID.prefix(16))…); restore that key, or move warden.db aside to start a new log")
    }
}
