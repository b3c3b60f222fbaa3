import Kiln

/// One model of the zoo: its name, what it is, and how to build it.
public struct ZooEntry: Sendable {
    /// The name `kiln run NAME` takes.
    public let name: String
    /// One line about the model.
    public let summary: String
    /// The batch size the model is built with unless asked otherwise.
    public let defaultBatchSize: Int
    /// How `kiln train` trains the model unless told otherwise.
    public var recipe: TrainingRecipe = .standard
    /// Builds the model with `batchSize` rows per batch and parameters drawn from `seed`.
    public let build: @Sendable (_ batchSize: Int, _ seed: UInt64) -> Model

    /// The model at its default batch size.
    public func build(seed: UInt64) -> Model { build(defaultBatchSize, seed) }
}

/// The model zoo, written in the DSL.
public enum Zoo {
    /// Every model, in the order `kiln models` lists them.
    public static let entries: [ZooEntry] = [
        ZooEntry(name: "mlp", summary: "784-512-512-10 MLP with ReLU, batch 64", defaultBatchSize: 64) {
            MLP.mnist(batch: $0, seed: $1)
        },
        ZooEntry(name: "mlp-digits", summary: "64-128-10 MLP for the digits data, cross-entropy loss", defaultBatchSize: 32) {
            DigitsModels.mlp(batch: $0, seed: $1)
        },
        ZooEntry(name: "cnn-digits", summary: "small CNN for the 8x8 digits (conv-BN-ReLU x2, pool, conv, 2 FC)", defaultBatchSize: 32) {
            DigitsModels.cnn(batch: $0, seed: $1)
        },
        ZooEntry(name: "lenet5", summary: "LeNet-5 on 1x32x32", defaultBatchSize: 1) { ClassicNets.lenet5(batch: $0, seed: $1) },
        ZooEntry(name: "lenet5_mnist", summary: "LeNet-5 on 1x28x28 (MNIST), cross-entropy loss, batch 64", defaultBatchSize: 64) {
            BenchmarkModels.lenet5MNIST(batch: $0, seed: $1)
        },
        ZooEntry(name: "vgg11", summary: "VGG-11 with batch norm on 3x32x32, 10 classes", defaultBatchSize: 1) {
            ClassicNets.vgg11(batch: $0, seed: $1)
        },
        ZooEntry(name: "resnet18", summary: "ResNet-18 on 3x224x224, 1000 classes", defaultBatchSize: 1) {
            ResNet.resnet18(batch: $0, seed: $1)
        },
        ZooEntry(name: "resnet34", summary: "ResNet-34 on 3x224x224, 1000 classes", defaultBatchSize: 1) {
            ResNet.resnet34(batch: $0, seed: $1)
        },
        ZooEntry(name: "resnet50", summary: "ResNet-50, downsampling stride on the first 1x1 (original)", defaultBatchSize: 1) {
            ResNet.resnet50(placement: .firstPointwise, batch: $0, seed: $1)
        },
        ZooEntry(name: "resnet50_v1_5", summary: "ResNet-50, downsampling stride on the 3x3 (torchvision)", defaultBatchSize: 1) {
            ResNet.resnet50(placement: .spatial, batch: $0, seed: $1)
        },
        ZooEntry(name: "mobilenet_v1", summary: "MobileNet V1 (depthwise-separable, ReLU6)", defaultBatchSize: 1) {
            MobileNet.v1(batch: $0, seed: $1)
        },
        ZooEntry(name: "mobilenet_v2", summary: "MobileNet V2 (inverted residuals, linear bottlenecks)", defaultBatchSize: 1) {
            MobileNet.v2(batch: $0, seed: $1)
        },
        ZooEntry(name: "mobilenet_v3_small", summary: "MobileNet V3 small (SE, hard-swish)", defaultBatchSize: 1) {
            MobileNet.v3Small(batch: $0, seed: $1)
        },
        ZooEntry(name: "shufflenet_v2", summary: "ShuffleNet V2 x1.0 (channel split and shuffle)", defaultBatchSize: 1) {
            ShuffleNet.v2(batch: $0, seed: $1)
        },
        ZooEntry(name: "squeezenet", summary: "SqueezeNet 1.1 (fire modules)", defaultBatchSize: 1) {
            ClassicNets.squeezenet(batch: $0, seed: $1)
        },
        ZooEntry(name: "inception_module", summary: "Inception v1 module 3a on 192x28x28", defaultBatchSize: 1) {
            ClassicNets.inceptionModule(batch: $0, seed: $1)
        },
        ZooEntry(name: "se_block", summary: "squeeze-and-excitation block on 64x56x56", defaultBatchSize: 1) {
            ClassicNets.seBlock(batch: $0, seed: $1)
        },
        ZooEntry(name: "densenet_block", summary: "DenseNet block, 4 layers, growth 32, on 64x28x28", defaultBatchSize: 1) {
            ClassicNets.denseBlock(batch: $0, seed: $1)
        },
        ZooEntry(name: "resnext_block", summary: "ResNeXt 32x4d bottleneck block on 256x56x56", defaultBatchSize: 1) {
            ResNet.resnextBlock(batch: $0, seed: $1)
        },
        ZooEntry(
            name: "transformer_encoder", summary: "2 Transformer encoder layers, seq 128, d_model 256, 4 heads, FFN 1024, batch 1",
            defaultBatchSize: 1
        ) { SequenceModels.transformerEncoder(batch: $0, seed: $1) },
        ZooEntry(
            name: "transformer_block", summary: "1 pre-LN Transformer encoder layer, seq 128, d_model 256, 4 heads, FFN 1024, GELU, batch 1",
            defaultBatchSize: 1
        ) { BenchmarkModels.transformerBlock(batch: $0, seed: $1) },
        ZooEntry(name: "lstm", summary: "LSTM, seq 32, input 128, hidden 256, batch 16", defaultBatchSize: 16) {
            SequenceModels.lstm(batch: $0, seed: $1)
        },
        ZooEntry(name: "gru", summary: "2-layer bidirectional GRU, seq 32, input 128, hidden 256, batch 16", defaultBatchSize: 16) {
            SequenceModels.gru(batch: $0, seed: $1)
        },
        ZooEntry(
            name: "seq2seq", summary: "GRU encoder-decoder with additive attention, vocab 1000, seq 16, hidden 256, batch 8",
            defaultBatchSize: 8
        ) { Seq2Seq.attention(batch: $0, seed: $1) },
        ZooEntry(name: "reverse", summary: "2-layer Transformer reversing 8-digit sequences (kiln train reverse)", defaultBatchSize: 64) {
            SequenceTaskModels.reverser(batch: $0, seed: $1)
        },
        ZooEntry(name: "gelu_stream", summary: "y = gelu(x*1.5+0.25)+x over 4M floats (exact GELU), memory-bound", defaultBatchSize: 1) {
            BenchmarkModels.geluStream(batch: $0, seed: $1)
        },
    ]

    /// The entry named `name`, if any.
    public static func entry(_ name: String) -> ZooEntry? { entries.first { $0.name == name } }
}
