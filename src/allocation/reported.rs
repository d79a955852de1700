//! The client description an allocation reports when it is not Nomad's text.

use heapless::String;

use super::capacity::CLIENT_DESCRIPTION_CAPACITY;
use crate::status::ClientStatus;

/// A client description that differs from Nomad's text for the status it was set with;
/// shown while the client status stays `status`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub(crate) struct ReportedDescription {
    pub(crate) status: ClientStatus,
    pub(crate) text: String<CLIENT_DESCRIPTION_CAPACITY>,
}
