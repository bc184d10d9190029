declare module 'digest-fetch' {
  export default class DigestClient {
    constructor(user: string, password: string, options?: { algorithm?: string; cnonceSize?: number })
    fetch(url: string, options?: { headers?: Record<string, string>; method?: string }): Promise<Response>
  }
}
