// The k-means engine: sklearn's KMeans (algorithm "lloyd", init "k-means++", n_init restarts,
// relative tol) on weighted distinct feature values, which gives the clustering of all pixels.
//
//   distinct.ts    pixels -> distinct values + counts, and pixel -> id on demand (host of assembly/distinct.ts)
//   kernel.ts      the WebAssembly kernel (assembly/*.ts): module, instances, memory blocks
//   assembly/restart.ts  in WebAssembly (AssemblyScript source): the kd-tree over byte points
//                  (Morton radix build, once per call, shared by every restart), greedy
//                  k-means++ on the tree (node-level potentials, exact for integer data), Lloyd
//                  by the filtering algorithm (whole boxes at once), empty-cluster relocation
//   kdtree.ts      the median-split tree for points that are not bytes (copied into the kernel)
//   wasmRestart.ts the restarts' host: memory layout, restarts, inertia
//   inertia.ts     inertia from per-cluster sums (order-independent)
//   kmeans.ts      restarts (a range, or taken from a counter shared by threads), best restart
//
// The specification the tests hold this to is in test/oracle/: the same semantics by linear
// scans (bruteForce.ts), sklearn's empty-cluster relocation (relocate.ts).
//
// Restart r draws only from its own generator seeded by (seed, r), so restarts can be split
// over workers and merged with bestOf. Same inputs, same bits.
export { channelValues, distinctIds, distinctOf, distinctValues, idReader, imageValues, packedValues, type Distinct, type Values } from './distinct';
export { kmeans } from './kmeans';
export { bestOf, type KMeansOptions, type KMeansResult } from './options';
