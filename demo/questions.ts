/** What the demo's users ask, in the order the demo asks them, over and over. */
export const QUESTIONS = [
  'Where is my order #A1042? It was due on Monday.',
  'Can I get a refund for a damaged blender?',
  'How is order #B2210 doing?',
  'Where is order #Z9999? The tracking link is broken.',
  'Do you ship to Norway, and how long does it take?',
  'Can I combine two discount codes?',
];
