/**
 * What the room needs only once someone presses "join": the signaling client and the WebRTC mesh (a fifth of the
 * room's download). The pre-join screen (devices, level meter, the recording notice) shows without them;
 * `loadConnection` starts the download when the element connects, so it has landed by the time the citizen has
 * read the notice. A failed download is forgotten, so the next join tries again.
 */
export { MeshTransport, signalingPort, SignalingClient, SignalingError } from '@tiepdan/core/browser';
// The transport policy and the transports' errors are needed only once in the room, as the mesh is.
export { chooseTransport, MediaTransportError } from '@tiepdan/core/browser';

