import KilnAnalysis
import Testing

@Suite struct CostModelTests {
}
