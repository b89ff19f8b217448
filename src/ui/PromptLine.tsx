/** The one-line input for `/` (filter, with a live valid/invalid mark) and `w`/`W` (file name). */
import { Text } from 'ink';
import { fit } from './format.js';

export interface PromptLineProps {
  label: string;
  text: string;
  /** true: valid, false: invalid (with message), null: no mark. */
  valid: boolean | null;
  message?: string;
  width: number;
}

export function PromptLine(props: PromptLineProps) {
  const { label, text, valid, message, width } = props;
  const mark = valid === null ? '' : valid ? ' ✓' : ` ✗ ${message ?? ''}`;
  const body = `${label}${text}█`;
  return (
    <Text wrap="truncate">
      <Text>{body}</Text>
      <Text color={valid === false ? 'red' : 'green'}>{fit(mark, Math.max(0, width - body.length))}</Text>
    </Text>
  );
}
