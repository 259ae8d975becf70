declare module 'virtual:snn-digits' {
  const digits: { count: number; images: string; labels: string; source: string };
  export default digits;
}
