// The k-means engine: sklearn's KMeans (lloyd, k-means++) on weighted distinct feature values.
export { distinctValues, type Distinct } from './distinct';
export { kmeans } from './kmeans';
export { bestOf, type KMeansOptions, type KMeansResult } from './options';
