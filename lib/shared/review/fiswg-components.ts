// The facial components a reviewer compares, after the FISWG "Facial Image Comparison Feature List for
// Morphological Analysis". A checklist makes the comparison explicit and reviewable: the rationale says
// what was seen, not only what was concluded.
export const FISWG_COMPONENTS = [
  { id: 'outline', label: 'Face/head outline' },
  { id: 'hair', label: 'Hair and hairline' },
  { id: 'forehead', label: 'Forehead' },
  { id: 'eyebrows', label: 'Eyebrows' },
  { id: 'eyes', label: 'Eyes' },
  { id: 'cheeks', label: 'Cheeks' },
  { id: 'nose', label: 'Nose' },
  { id: 'ears', label: 'Ears' },
  { id: 'mouth', label: 'Mouth and lips' },
  { id: 'chin', label: 'Chin and jaw' },
  { id: 'neck', label: 'Neck' },
  { id: 'facial_hair', label: 'Facial hair' },
  { id: 'marks', label: 'Marks, scars and tattoos' },
] as const;

export type FiswgComponentId = (typeof FISWG_COMPONENTS)[number]['id'];
export const FISWG_COMPONENT_IDS = FISWG_COMPONENTS.map((component) => component.id) as [FiswgComponentId, ...FiswgComponentId[]];

export const COMPONENT_FINDINGS = ['similar', 'dissimilar', 'not_visible'] as const;
export type ComponentFinding = (typeof COMPONENT_FINDINGS)[number];
export const FINDING_LABELS: Record<ComponentFinding, string> = { similar: 'Similar', dissimilar: 'Dissimilar', not_visible: 'Not visible' };
