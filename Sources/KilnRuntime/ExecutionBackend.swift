import KilnIR

/// Which compiler an executable's code comes from.
public enum Tier: String, Sendable, CaseIterable {
    /// libtcc, in process: compiles in milliseconds, slower code.
    case tcc
    /// The system C compiler (`NativeBackend`): compiles in tenths of a second, fast code.
    case native
}

/// How a graph is compiled: with tcc only, with the native compiler only, or tiered (tcc code at
/// once, the native build in the background, swapped in between two calls when ready).
public struct ExecutionBackend: Sendable {
    /// The three strategies, as the command line names them.
    public enum Kind: String, Sendable, CaseIterable {
        /// tcc only.
        case tcc
        /// The native compiler only; an error where there is none.
        case native
        /// tcc first, then the native code; tcc alone (with one notice) where there is no compiler.
        case tiered
    }

    /// The strategy.
    public var kind: Kind
    /// The native compiler used by `.native` and `.tiered`.
    public var native: NativeBackend
    /// The libtcc compiler used by `.tcc` and `.tiered`.
    public var tcc: TCCBackend

    /// A strategy with the native compiler `native` (the one on `$PATH` by default) and `tcc`.
    public init(_ kind: Kind, native: NativeBackend = NativeBackend(), tcc: TCCBackend = TCCBackend()) {
        self.kind = kind
        self.native = native
        self.tcc = tcc
    }

    /// The compiler of the code this strategy runs in the steady state, whose measured ceilings
    /// judge that code: the native compiler for `.native`, and for `.tiered` where one exists;
    /// tcc otherwise.
    public var ceilingsBackend: any CompilerBackend {
        kind == .tcc || native.compiler == nil ? tcc : native
    }

    /// tcc only.
    public static var tcc: ExecutionBackend { ExecutionBackend(.tcc) }
    /// The native compiler only.
    public static var native: ExecutionBackend { ExecutionBackend(.native) }
    /// tcc at once, native code when it is built: the default.
    public static var tiered: ExecutionBackend { ExecutionBackend(.tiered) }
}
