//! Builder setters for request structs.

/// Generates chainable setters for `Option<T>` fields: `fn name(mut self, v: impl Into<T>) -> Self`.
macro_rules! setters {
    ($ty:ty { $( $(#[$doc:meta])* $field:ident : $inner:ty ),* $(,)? }) => {
        impl $ty {
            $(
                $(#[$doc])*
                #[must_use]
                pub fn $field(mut self, value: impl Into<$inner>) -> Self {
                    self.$field = Some(value.into());
                    self
                }
            )*
        }
    };
}

pub(crate) use setters;
