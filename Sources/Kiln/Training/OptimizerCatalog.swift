import KilnIR

/// The optimizers by the names the command line takes, with their default learning rates.
public enum OptimizerCatalog {
    /// The names `optimizer(named:)` accepts.
    public static let names = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam", "adamw"]

    /// The optimizer called `name`.
    public static func optimizer(named name: String) throws(KilnError) -> any Optimizer {
        switch name {
        case "sgd": SGD()
        case "momentum": Momentum()
        case "nesterov": Momentum(nesterov: true)
        case "adagrad": AdaGrad()
        case "rmsprop": RMSProp()
        case "adadelta": AdaDelta()
        case "adam": Adam()
        case "adamw": Adam.adamW()
        default:
            throw .invalidArgument(
                "unknown optimizer '\(name)' (expected \(names.dropLast().joined(separator: ", ")) or \(names.last ?? ""))")
        }
    }

    /// The base learning rate that trains the zoo's models with the optimizer called `name`:
    /// 0.003 for adam and adamw, 0.001 for rmsprop, 1 for adadelta, 0.05 otherwise.
    public static func defaultLearningRate(named name: String) -> Double {
        switch name {
        case "adam", "adamw": 0.003
        case "rmsprop": 0.001
        case "adadelta": 1
        default: 0.05
        }
    }
}
