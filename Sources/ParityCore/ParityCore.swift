// ParityCore: the pure model of Parity. Units, architectures and their exact accounting,
// hardware descriptions and export-control classification, and scenario values.
// It has no dependencies and does no I/O.
