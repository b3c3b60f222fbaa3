"""Writes the .npy fixtures the tests read, with NumPy itself (run: python3 make_fixtures.py)."""
import numpy as np

np.save("numpy_f32.npy", np.arange(6, dtype=np.float32).reshape(2, 3) / 4)
np.save("numpy_f64.npy", np.array([[1.5, -2.25]], dtype=np.float64))
np.save("numpy_i64.npy", np.array([3, -1, 7], dtype=np.int64))
np.save("numpy_scalar.npy", np.float32(2.5))
