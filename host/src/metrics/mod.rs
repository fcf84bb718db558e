//! Measuring GAN quality (DESIGN §4).
