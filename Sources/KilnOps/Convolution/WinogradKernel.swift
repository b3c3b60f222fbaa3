import KilnC
import KilnIR

/// The C of one `conv2d_winograd` node (see `Conv2DWinograd` for the algorithm). Scratch holds,
/// in floats: the zero-bordered input plane, V [α², C, T], M [α², K, T] and an m-row buffer of
/// output tiles (on each thread's stack instead, for planes small enough).
struct WinogradKernel {
    let layout: Conv2DWinograd.Layout
    let x: String, u: String, y: String
    let bias: String?
    let scratch: String

    private var g: ConvolutionGeometry { layout.geometry }
    private var t: WinogradTransform { layout.transform }

    /// Whether each thread keeps its padded plane and output row buffer on its stack (planes up
    /// to `ConvolutionGeometry.localPlaneFloats`), so that the input channels of the input
    /// transform and the output channels of the output transform split across threads; larger
    /// planes use the ones in scratch, one channel after another.
    private var isLocal: Bool { layout.paddedHeight * layout.paddedWidth <= ConvolutionGeometry.localPlaneFloats }

    func write(_ writer: inout CWriter) {
        let planeFloats = layout.paddedHeight * layout.paddedWidth
        let inputFloats = layout.positions * g.inputChannels * layout.tiles
        let productFloats = layout.positions * g.outputChannels * layout.tiles
        writer.line("float *V = (float *)\(scratch) + \(planeFloats);")
        writer.line("float *M = V + \(inputFloats);")
        if !isLocal {
            writer.line("float *padded = (float *)\(scratch);")
            writer.line("float *rows = M + \(productFloats);")
            writer.line("memset(padded, 0, \(planeFloats * 4));")
        }
        writer.loop("n", count: g.batch) { image in
            if isLocal {
                image.parallelLoop("c", count: g.inputChannels, elements: inputFloats) { writeInputTransform(&$0) }
            } else {
                image.loop("c", count: g.inputChannels) { writeInputTransform(&$0) }
            }
            // The α² products split across threads, each one serial OpenBLAS call (`CPrelude.parallelGEMM`).
            let productMACs = layout.positions * g.outputChannels * g.inputChannels * layout.tiles
            image.parallelLoop("xi", count: layout.positions, elements: productMACs) { product in
                product.line(CExpression.gemm(
                    m: g.outputChannels, n: layout.tiles, k: g.inputChannels,
                    a: "\(u) + xi*\(g.outputChannels * g.inputChannels)", lda: g.inputChannels,
                    b: "V + xi*\(g.inputChannels * layout.tiles)", ldb: layout.tiles,
                    c: "M + xi*\(g.outputChannels * layout.tiles)", ldc: layout.tiles))
            }
            if isLocal {
                image.parallelLoop("k", count: g.outputChannels, elements: productFloats) { writeOutputTransform(&$0) }
            } else {
                image.loop("k", count: g.outputChannels) { writeOutputTransform(&$0) }
            }
        }
    }

    /// Channel `c` of image `n`: copied into the padded plane, then each tile's Bᵀ d B into V.
    private func writeInputTransform(_ writer: inout CWriter) {
        let width = layout.paddedWidth
        writer.line("const float *plane = \(x) + (n*\(g.inputChannels) + c)*\(g.inputPlane);")
        if isLocal {
            g.writeLocalPaddedPlane(&writer, name: "padded", plane: "plane", paddedWidth: width, paddedHeight: layout.paddedHeight)
        } else {
            writer.loop("ih", count: g.height.input) { row in
                row.line("memcpy(padded + (ih + \(g.height.padBegin))*\(width) + \(g.width.padBegin), "
                    + "plane + ih*\(g.width.input), \(g.width.input * 4));")
            }
        }
        writer.loop("th", count: layout.tilesHigh) { tileRow in
            for i in 0..<t.alpha { tileRow.line("const float *r\(i) = padded + (th*\(t.m) + \(i))*\(width);") }
            tileRow.line("float *v = V + c*\(layout.tiles) + th*\(layout.tilesWide);")
            tileRow.loop("tw", count: layout.tilesWide) { tile in
                let d = (0..<t.alpha).map { i in (0..<t.alpha).map { j in "r\(i)[tw*\(t.m) + \(j)]" } }
                WinogradTransform.writeSandwich(&tile, t.inputTransform, d, t.inputTransform, name: "v")
                for i in 0..<t.alpha {
                    for j in 0..<t.alpha {
                        tile.line("v[\((i * t.alpha + j) * g.inputChannels * layout.tiles) + tw] = v\(i)_\(j);")
                    }
                }
            }
        }
    }

    /// Output channel `k` of image `n`: each tile's Aᵀ M A (plus the bias) into the row buffer,
    /// then the rows inside the output copied out.
    private func writeOutputTransform(_ writer: inout CWriter) {
        let rowWidth = layout.tilesWide * t.m
        if isLocal { writer.line("float rows[\(t.m * rowWidth)];") }
        writer.line("const float b = \(bias.map { "\($0)[k]" } ?? "0.0f");")
        writer.line("float *out = \(y) + (n*\(g.outputChannels) + k)*\(g.outputPlane);")
        writer.loop("th", count: layout.tilesHigh) { tileRow in
            tileRow.line("const float *p = M + k*\(layout.tiles) + th*\(layout.tilesWide);")
            tileRow.loop("tw", count: layout.tilesWide) { tile in
                let products = (0..<t.alpha).map { i in
                    (0..<t.alpha).map { j in "p[\((i * t.alpha + j) * g.outputChannels * layout.tiles) + tw]" }
                }
                WinogradTransform.writeSandwich(&tile, t.outputTransform, products, t.outputTransform, name: "o")
                for i in 0..<t.m {
                    for j in 0..<t.m { tile.line("rows[\(i * rowWidth) + tw*\(t.m) + \(j)] = o\(i)_\(j) + b;") }
                }
            }
            tileRow.line("long count = \(g.height.output) - th*\(t.m);")
            tileRow.line("if (count > \(t.m)) count = \(t.m);")
            tileRow.block("for (long i = 0; i < count; i++)") { copy in
                copy.line("memcpy(out + (th*\(t.m) + i)*\(g.width.output), rows + i*\(rowWidth), \(g.width.output * 4));")
            }
        }
    }
}
