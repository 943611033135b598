//! What the GPU backends see on this machine, without panicking when a driver is absent.

/// Number of CUDA devices (0 without the `cuda` feature or without a driver).
pub fn cuda_device_count() -> usize {
    #[cfg(feature = "cuda")]
    {
        use burn::tensor::backend::Backend;
        std::panic::catch_unwind(|| <burn::backend::Cuda as Backend>::device_count(0)).unwrap_or(0)
    }
    #[cfg(not(feature = "cuda"))]
    {
        0
    }
}
