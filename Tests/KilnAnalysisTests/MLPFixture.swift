import Kiln
import KilnModels

/// The zoo's models as graphs.
enum MLPFixture {
    static func mnist(batch: Int) -> Graph { MLP.mnist(batch: batch).graph }
}
