/** Payloads are plain msgpack (`pack`/`unpack`, no record extension) so other tools can read them. */
export const CONTENT_TYPE = 'application/msgpack';
export const CONTENT_TYPE_HEADER = 'Content-Type';
/** Header carrying the reason a message was dead-lettered. */
export const DLQ_REASON_HEADER = 'Qt-Dlq-Reason';
export const DLQ_SOURCE_HEADER = 'Qt-Dlq-Source';
